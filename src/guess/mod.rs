//! `guess`: the most plausible layouts of a file that has no header, from
//! a bounded sample of its bytes. Pure logic over byte slices: the caller
//! reads the sample (the file's head and chunks spread over the rest) and
//! prints the findings.
//!
//! The evidence, each computed from the sample, never from the file name:
//! - **Formats and text**: magic bytes of formats strided reads or knows
//!   (`.npy`, zip, tar, TIFF, HDF5, NetCDF, FITS, PNG, JPEG, XML, JSON) and
//!   printable text stop the guess with what to do instead.
//! - **Byte structure**: the entropy of the bytes at each position modulo a
//!   period. Numbers put their most significant byte (a float's sign and
//!   exponent, an integer's high byte) at a fixed position of each element,
//!   so the period of the pattern is the element's size (a record's size
//!   when it does not repeat at a power of two), and where its quiet byte
//!   falls tells the byte order and where elements start.
//! - **Values**: each candidate dtype decoded at each alignment: floats
//!   must be finite and normal and their exponents cluster; neighbouring
//!   values of a signal or an image resemble each other far more than
//!   distant ones (in the right dtype and byte order only); complex
//!   samples show as balanced pairs whose phase turns steadily.
//! - **Planes**: complex samples stored as all I values then all Q
//!   values. Each value of the first half paired with the value half the
//!   data on puts every tone on one side of the spectrum, most at that
//!   pairing, as I/Q samples do and two halves of a real signal rarely
//!   do; the same numbers read as interleaved pairs must be less so.
//! - **Rows**: among the factors of the element count, a row length whose
//!   vertical neighbours resemble each other more than the diagonal ones.
//! - **Headers**: leading bytes that are text, padding, or do not fit the
//!   body's values, up to the first element boundary after them.
//!
//! `sniff.rs` holds the formats and text, `measure.rs` the byte structure
//! and values, `planes.rs` the planes, `rows.rs` the rows and headers;
//! this file weighs them into ranked [`Candidate`]s ([`guess`]).

use crate::control::Interrupted;
mod measure;
mod planes;
mod rows;
mod sniff;

pub use measure::implausible_f32_share;
use measure::{
    column_entropy, decode, measure_all, msb_quiet, named, smooth_body, smoothness, stationary,
    structure_period, value_misfit, Measure, Num, Reading, Ty, TYPES,
};
use planes::{interleaved_iq, one_sidedness, planar_runs, PLANAR_ONE_SIDED};
use rows::{
    columns, header_end, header_evidence, record_header_end, row_length, snap_down, Columns,
};
pub use sniff::recognise;
use sniff::text_header_end;

/// What `guess` reads of a file: its length, its first bytes, and chunks
/// spread over the rest (offset, bytes).
pub struct Sample<'a> {
    pub len: u64,
    pub head: &'a [u8],
    pub body: Vec<(u64, &'a [u8])>,
    /// Chunks half the file on from body chunks of the first half (a little
    /// earlier and longer, so that any header up to [`PARTNER_MARGIN`]
    /// twice over still pairs them): each value of the first half with
    /// its counterpart in the second, for complex data stored as two
    /// planes.
    pub partners: Vec<(u64, &'a [u8])>,
}

/// How much earlier than exactly half the file on a partner chunk starts.
pub const PARTNER_MARGIN: usize = 4096;

/// What `guess` found.
#[derive(Clone, Debug)]
pub enum Finding {
    /// A format the bytes announce: what it is, whether `open` reads it,
    /// and what to do.
    Format {
        what: String,
        opens: bool,
        hint: String,
    },
    /// The file is text.
    Text { hint: String },
    /// Every sampled byte is the same (a sparse or wiped file).
    Constant { byte: u8 },
    /// Layouts, best first.
    Layouts(Vec<Candidate>),
}

/// One layout: a dtype (strided's spelling, e.g. `<f4`, `ci16`, `cu8`) or
/// a record size, a header offset, and a row length for 2-D data.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub dtype: String,
    pub record: Option<usize>,
    pub offset: u64,
    pub row: Option<usize>,
    /// Complex samples stored as two planes, all I values then all Q values
    /// (`row` is the plane's length): the open line makes the two planes
    /// axis 0, and `d[0] + 1j*d[1]` is the signal.
    pub planar: bool,
    /// Whole elements after the offset, when bytes are left over at the
    /// end (the open line then gives the shape).
    pub count: Option<u64>,
    /// 0..1: how well the evidence fits, relative to the best.
    pub score: f64,
    pub evidence: Vec<String>,
}

impl Candidate {
    /// The `open` statement that opens the file so.
    pub fn open_line(&self, path: &str) -> String {
        let mut s = format!("open {path}");
        if self.offset > 0 {
            s.push_str(&format!(" offset={}", self.offset));
        }
        let rows = |w: usize| match self.count {
            Some(n) => format!("{}x{w}", n / w as u64),
            None => format!("-1x{w}"),
        };
        match (self.record, self.row, self.count) {
            (None, Some(w), _) if self.planar => s.push_str(&format!(" 2x{w} {}", self.dtype)),
            (Some(r), _, _) => s.push_str(&format!(" {} u1", rows(r))),
            (None, Some(w), _) => s.push_str(&format!(" {} {}", rows(w), self.dtype)),
            (None, None, Some(n)) => s.push_str(&format!(" {n} {}", self.dtype)),
            (None, None, None) => s.push_str(&format!(" {}", self.dtype)),
        }
        s
    }
}

/// When the first two layouts are close (the second scores above 0.9 of
/// the first), what tells them apart: the statement to run and what to
/// look for, chosen by how the two differ.
pub fn close_call(c: &[Candidate]) -> Option<String> {
    let [a, b, ..] = c else { return None };
    if b.score <= 0.9 * a.score {
        return None;
    }
    let name = |c: &Candidate| match c.record {
        Some(r) => format!("{r}-byte records"),
        None if c.planar => format!("{} in two planes", c.dtype),
        None => c.dtype.clone(),
    };
    let (na, nb) = (name(a), name(b));
    let pair = if na == nb {
        String::new()
    } else {
        format!(" ({na} vs {nb})")
    };
    let tell = if a.record.is_some() != b.record.is_some() {
        "`bytes` of the first elements shows whether a pattern repeats every record \
         (records) or every number"
            .to_string()
    } else if a.offset != b.offset && a.dtype == b.dtype {
        format!(
            "`bytes` of the first elements shows whether the data starts at byte {} or {}",
            a.offset, b.offset
        )
    } else if a.planar != b.planar {
        "`psd` of each complex reading (`d[0] + 1j*d[1]` for the planes): the \
         right one puts every tone on one side"
            .to_string()
    } else if a.row != b.row {
        "`image` of each shows which row length gives straight edges (a wrong one \
         shears the picture)"
            .to_string()
    } else {
        let (ta, tb) = (named(&a.dtype), named(&b.dtype));
        match (ta, tb) {
            (Some(x), Some(y)) if x.complex != y.complex => "`psd` of the complex reading \
                shows tones on one side only when the pairs are I/Q; a real signal read \
                in pairs mirrors every tone"
                .to_string(),
            (Some(x), Some(y)) if x.part == y.part && x.num == y.num && x.big != y.big => {
                "`stats` of each: the wrong byte order gives absurd extremes, and `plot` \
                 of it is ragged"
                    .to_string()
            }
            (Some(x), Some(y))
                if x.part == y.part
                    && x.num != Num::Float
                    && y.num != Num::Float
                    && a.evidence.iter().any(|e| e.contains(&same_numbers(y.name))) =>
            {
                "both read the same numbers here (no value sets the top bit): either \
                 is right"
                    .to_string()
            }
            (Some(x), Some(y))
                if x.part == y.part && x.num != Num::Float && y.num != Num::Float =>
            {
                "`hist` of each: the wrong signedness splits the values to both ends of \
                 the range"
                    .to_string()
            }
            (Some(x), Some(y)) if x.part == y.part => "`image` (or `plot`) of each: the \
                integer and the float reading both fit; the wrong one is jagged or flat"
                .to_string(),
            _ => "`stats` and `plot` of each: the wrong size gives absurd values or a \
                ragged line"
                .to_string(),
        }
    };
    Some(format!("1 and 2 are close{pair}: {tell}."))
}

/// The evidence that the other signedness reads the same numbers.
fn same_numbers(other: &str) -> String {
    format!("{other} reads the same")
}

/// A wide integer read over narrow samples (8-bit I/Q, say) takes its
/// high byte from every fourth or eighth of them: a decimated signal,
/// which can look smoother than the samples themselves (a tone near a
/// multiple of the rate over four aliases to a slow one). Real wide
/// integers read narrow interleave their noisy low bytes with the high
/// ones and fit badly; when a narrower reading fits about as well, the
/// wide one is the decimation.
fn demote_decimations(found: &mut [Reading]) {
    let narrow_best: Vec<Option<(f64, &'static str)>> = found
        .iter()
        .map(|f| {
            if f.1.num == Num::Float || f.1.part < 4 {
                return None;
            }
            // A narrower reading that fits: each of its channels alike
            // from value to value, and not one value in two (a real
            // reading of a wide integer's high and low halves).
            let interleaved = |g: &Measure| g.ar.1 > 0.5 && g.ar.0.abs() < 0.5;
            found
                .iter()
                .filter(|g| {
                    g.1.part < f.1.part
                        && g.3.smooth_least >= 0.2
                        && (g.1.complex || !interleaved(&g.3))
                })
                .map(|g| (g.0, g.1.name))
                .max_by(|a, b| a.0.total_cmp(&b.0))
        })
        .collect();
    for (f, narrow) in found.iter_mut().zip(narrow_best) {
        if let Some((score, name)) = narrow.filter(|(score, _)| *score >= 0.7 * f.0) {
            f.0 *= 0.5;
            f.4.push(format!(
                "the bytes fit as {name} about as well ({score:.2}): a {}-byte integer \
                 over them takes its high byte from every {}th byte",
                f.1.part, f.1.part
            ));
        }
    }
}

/// The most plausible layouts of the sampled file, best first.
pub fn guess(s: &Sample) -> Result<Finding, Interrupted> {
    let chunks: Vec<&[u8]> = s.body.iter().map(|(_, b)| *b).collect();
    if let Some(f) = recognise(s.head, &chunks) {
        return Ok(f);
    }
    let first = s.head.first().copied().unwrap_or(0);
    if s.head
        .iter()
        .chain(s.body.iter().flat_map(|(_, b)| b.iter()))
        .all(|&b| b == first)
    {
        return Ok(Finding::Constant { byte: first });
    }
    let body: Vec<(u64, &[u8])> = if s.body.is_empty() {
        vec![(0, s.head)]
    } else {
        s.body.clone()
    };
    let (period, contrast, _) = structure_period(&body);
    let readings: Vec<(&Ty, usize)> = TYPES
        .iter()
        .flat_map(|t| (0..t.part * if t.complex { 2 } else { 1 }).map(move |p| (t, p)))
        .collect();
    let mut measures = measure_all(&readings, &body)?.into_iter();
    let mut found: Vec<Reading> = Vec::new();
    let mut entropies: Vec<(usize, Vec<f64>)> = Vec::new();
    for &(t, phase) in &readings {
        let m = measures.next().expect("one measure a reading");
        let elem = t.part * if t.complex { 2 } else { 1 };
        let period_cols = elem.max(t.part);
        if !entropies.iter().any(|(p, _)| *p == period_cols) {
            entropies.push((period_cols, column_entropy(&body, period_cols)));
        }
        let cols = &entropies
            .iter()
            .find(|(p, _)| *p == period_cols)
            .expect("just added")
            .1;
        let mut why = Vec::new();
        let mut score = m.valid.powi(4);
        if t.num == Num::Float {
            score *= 0.4 + 0.6 * m.cluster * m.cluster;
        }
        // The byte pattern's period must be the part's (or the
        // complex element's) size, when there is a pattern.
        let period_fit = if contrast < 0.3 || period == 1 {
            if t.part == 1 {
                1.0
            } else {
                0.8
            }
        } else if period == t.part || (t.complex && period == 2 * t.part) {
            1.0
        } else {
            0.35
        };
        let quiet = msb_quiet(t, phase, cols);
        let fit = 0.25 + 0.45 * m.smooth + 0.3 * quiet;
        score *= period_fit * fit;

        if t.num == Num::Float && m.valid > 0.95 {
            why.push(format!(
                "{:.0}% finite normal floats, {:.0}% within four decades of the median",
                100.0 * m.valid,
                100.0 * m.cluster
            ));
        } else if t.num == Num::Float {
            why.push(format!(
                "only {:.0}% of values are plausible floats",
                100.0 * m.valid
            ));
        }
        if m.smooth > 0.3 {
            why.push(format!(
                "neighbours alike ({:.0}% closer than distant values)",
                100.0 * m.smooth
            ));
        }
        if t.complex && m.balance > 0.5 {
            why.push(format!(
                "pairs balanced as I/Q (variance ratio {:.2}, phase turn {:.2})",
                m.balance, m.turn
            ));
        }
        if contrast >= 0.3 && period_fit == 1.0 && t.part > 1 {
            why.push(format!(
                "a {period}-byte byte pattern, the quiet (high) byte {}",
                if t.big { "first" } else { "last" }
            ));
        }
        found.push((score, *t, phase, m, why));
    }
    // Wrong signedness wraps the middle of the range to its ends: many
    // neighbours half the range apart, more than in the other
    // signedness's reading (a loud tone near the Nyquist rate jumps far
    // in both).
    let twins: Vec<Option<(f64, f64, &'static str)>> = found
        .iter()
        .map(|f| {
            let (t, phase) = (&f.1, f.2);
            let other = match t.num {
                Num::Int => Num::UInt,
                Num::UInt => Num::Int,
                Num::Float => return None,
            };
            found
                .iter()
                .find(|g| {
                    g.2 == phase
                        && g.1.num == other
                        && (g.1.part, g.1.complex, g.1.big) == (t.part, t.complex, t.big)
                })
                .map(|g| (g.3.jumps, g.3.smooth, g.1.name))
        })
        .collect();
    for (f, twin) in found.iter_mut().zip(twins) {
        if f.1.num == Num::Float {
            continue;
        }
        // A loud tone near the Nyquist rate jumps far in both readings,
        // but only the right one still follows from the values before.
        let excess = match twin {
            Some((_, smooth, _)) if f.3.smooth > smooth + 0.3 => 0.0,
            Some((j, _, _)) => (f.3.jumps - 2.0 * j).max(0.0),
            None => f.3.jumps,
        };
        f.0 *= 1.0 - (100.0 * excess).min(0.8);
        if excess > 0.01 {
            f.4.push(format!(
                "{:.1}% of neighbours jump half the range (wrong signedness?)",
                100.0 * f.3.jumps
            ));
        }
        // No value with its top bit set: both signednesses read alike
        // (and the first in TYPES comes first). Every value with it set:
        // negative numbers, more likely than values all in the top half
        // of the unsigned range.
        if let Some((_, _, other)) = twin.filter(|_| !f.1.complex) {
            let top = 2f64.powi(8 * f.1.part as i32 - 1);
            if f.3.lo >= 0.0 && f.3.hi < top {
                f.4.push(format!(
                    "no sampled value has its top bit set: {}",
                    same_numbers(other)
                ));
            } else if f.1.num == Num::UInt && f.3.lo >= top {
                f.0 *= 0.98;
                f.4.push(format!(
                    "every sampled value has its top bit set: negative numbers ({other})?"
                ));
            }
        }
    }
    // Interleaved channels of a real reading: its values follow the
    // ones a channel before, which the fit of neighbours (smoothness)
    // above misses; credit the channels' own likeness when it is close
    // (a misaligned reading whose top byte is the channels' exponents
    // follows them loosely).
    for f in found.iter_mut() {
        if let Some((_, r)) = f.3.channels.filter(|(_, r)| *r < 0.15) {
            f.0 *= 1.0 + 0.8 * (1.0 - r - f.3.smooth).max(0.0);
        }
    }
    // Pairs read one value at a time: each value follows the one two
    // before it (its own channel), not its neighbour, which a real signal
    // does not do (a tone at a quarter of the rate has a2 = -1).
    for f in found.iter_mut() {
        let (a1, a2) = f.3.ar;
        if !f.1.complex && a2 > 0.5 && a1.abs() < 0.5 && f.3.smooth > 0.3 {
            f.0 *= 0.6;
            f.4.push(format!(
                "each value follows the one two before it (a2 = {a2:.2}), not its neighbour: \
                 interleaved pairs?"
            ));
        }
    }
    // Floats read in the wrong byte order from a neighbouring alignment
    // (the exponent byte in place, low mantissa bytes of the next value
    // after it) cluster as well as the right reading, but their top
    // mantissa bits are noise: of two such readings, the one whose
    // mantissas carry no information loses.
    let infos: Vec<f64> = found.iter().map(|f| f.3.mantissa_info).collect();
    for k in 0..found.len() {
        let (t, phase) = (found[k].1, found[k].2);
        if t.num != Num::Float {
            continue;
        }
        let twin = found.iter().position(|g| {
            g.1.num == Num::Float
                && g.1.big != t.big
                && (g.1.part, g.1.complex) == (t.part, t.complex)
                && (g.2 + t.part - phase % t.part) % t.part == if t.big { 1 } else { t.part - 1 }
        });
        if let Some(j) = twin {
            if infos[j] > 0.01 && infos[k] < 0.25 * infos[j] {
                let other = found[j].1.name;
                found[k].0 *= 0.5;
                found[k].4.push(format!(
                    "top mantissa bits uniform ({:.3} bits against {:.3} in {other}): \
                     misread bytes?",
                    infos[k], infos[j]
                ));
            }
        }
    }
    // Bits that read as clustered, normal floats are floats: integers of
    // their size or wider lose to them at their alignment, and in the
    // other byte order at any (a misread), unless the float reading fits
    // far worse on the whole or is less alike from value to value (the
    // halves of 8-byte timestamps cluster as float32, but alternate high
    // and low).
    let floats: Vec<f64> = found
        .iter()
        .map(|f| {
            if f.1.num == Num::Float || f.1.part < 4 {
                return 0.0;
            }
            found
                .iter()
                .filter(|g| {
                    g.1.num == Num::Float
                        && g.1.part >= 4
                        && g.1.part <= f.1.part
                        && (g.1.big != f.1.big || g.2 % g.1.part == f.2 % g.1.part)
                        && g.0 >= 0.5 * f.0
                        && g.3.smooth >= f.3.smooth - 0.1
                })
                .map(|g| g.3.valid * g.3.cluster)
                .fold(0.0f64, f64::max)
        })
        .collect();
    for (f, q) in found.iter_mut().zip(floats) {
        if q > 0.95 {
            f.0 *= 0.6;
        }
    }
    // Complex or real: the two parts of I/Q samples are in quadrature
    // (uncorrelated); a real signal taken in pairs correlates with itself.
    let inner_best = found
        .iter()
        .filter(|f| f.1.complex && f.1.part == 1)
        .map(|f| f.3.inner)
        .fold(0.0f64, f64::max);
    for f in found.iter_mut() {
        let (t, m) = (&f.1, &f.3);
        if !t.complex {
            continue;
        }
        let a = if m.pair_corr > 0.5 {
            0.4
        } else if m.pair_corr < 0.2 {
            1.15
        } else {
            0.85
        };
        // I and Q alike in spread; the two bytes of an int16 are not.
        f.0 *= a * (0.5 + 0.5 * m.balance);
        if a > 1.0 {
            f.4.push(format!(
                "pairs uncorrelated (r = {:.2}), as I/Q samples in quadrature",
                m.pair_corr
            ));
        }
        if t.part == 1 {
            // Offset binary read as signed (or the reverse) wraps the
            // middle of the range to its ends: of ci8 and cu8, the one with
            // less in the middle.
            f.0 *= 0.6 + 0.4 * m.inner / inner_best.max(1e-9);
        }
    }
    demote_decimations(&mut found);
    // Data starts at the start, or where a text header ends: another
    // alignment needs more evidence.
    let text_end = text_header_end(s.head);
    for f in found.iter_mut() {
        let elem = f.1.part * if f.1.complex { 2 } else { 1 };
        if f.2 != 0 && f.2 != text_end % elem {
            f.0 *= 0.9;
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best_score = found.first().map_or(1.0, |f| f.0).max(1e-12);
    let mut out: Vec<Candidate> = Vec::new();
    // Records: a byte pattern that is no scalar's size, or 8 bytes with
    // two quiet (most significant) bytes 4 apart: two 4-byte fields.
    let cols8 = column_entropy(&body, 8);
    // (Quiet bytes in two groups: one 8-byte integer's quiet top bytes
    // are one run.)
    let busy_between = |a: usize, b: usize| (a + 1..b).any(|j| cols8[j % 8] >= 4.0);
    let two_fields = period == 8
        && (0..4).any(|k| {
            cols8[k] < 4.0
                && cols8[k + 4] < 4.0
                && busy_between(k, k + 4)
                && busy_between(k + 4, k + 8)
        });
    if contrast >= 0.3 && period > 2 && (!matches!(period, 4 | 8) || two_fields) {
        // The header before records: where records start to repeat, or
        // the end of leading text, on a record boundary counted back from
        // the end of the file.
        let first = (s.len % period as u64) as usize;
        let text = text_header_end(s.head);
        // The padding after text may run on into records that start with
        // zeros, never stop short of the data: the record boundary at or
        // below its end.
        let after_text = if text < first {
            0
        } else {
            text - (text + period - first) % period
        };
        let end = record_header_end(s.head, &body, period, first).max(after_text);
        out.push(Candidate {
            dtype: format!("V{period}"),
            record: Some(period),
            offset: end as u64,
            row: None,
            planar: false,
            count: (!(s.len - end as u64).is_multiple_of(period as u64))
                .then(|| (s.len - end as u64) / period as u64 * period as u64),
            score: 1.0,
            evidence: vec![format!(
                "a {period}-byte pattern no single number makes: records of {period} bytes"
            )],
        });
    }
    // Little evidence: no byte pattern, neighbours no more alike than
    // distant values, no clustered floats: noise in every dtype.
    let structured = found.first().is_some_and(|best| {
        (contrast >= 0.3 && period > 1)
            || best.3.smooth >= 0.2
            || (best.1.num == Num::Float && best.3.valid * best.3.cluster > 0.9)
    });
    let mut by_elem: Vec<(usize, Columns)> = Vec::new();
    // Real readings tried as two planes (the best three: the best may be
    // a byte-shifted twin), and whether a planar layout was found.
    let (mut tried_planar, mut found_planar) = (0, false);
    // The best complex reading: two planes must not be interleaved I/Q
    // read the wrong way.
    let best_complex = found.iter().find(|f| f.1.complex).map(|f| (f.1, f.2));
    let mut best_complex_iq: Option<bool> = None;
    for (score, t, phase, m, mut why) in found.into_iter().take(12) {
        let elem = t.part * if t.complex { 2 } else { 1 };
        let cols = match by_elem.iter().position(|(e, _)| *e == elem) {
            Some(k) => &by_elem[k].1,
            None => {
                by_elem.push((elem, columns(&body, elem)));
                &by_elem[by_elem.len() - 1].1
            }
        };
        // Byte statistics tell a header where they hold everywhere, or at
        // least do not drift smoothly away from the sample.
        let still = stationary(&m);
        let cols = (!smooth_body(&m) || still).then_some(cols);
        let misfit = value_misfit(&t, s.head, &m, still);
        let mut found_end = header_end(s.head, cols, still, elem, phase, &misfit);
        // A "header" that is itself a smooth signal is data unlike the
        // sampled body (louder, or the corner of a field that holds its
        // extremes), not a header.
        if found_end >= 16 * elem {
            let vals: Vec<f64> = (phase % elem..found_end - elem)
                .step_by(elem)
                .map(|p| decode(&t, &s.head[p..]))
                .collect();
            if smoothness(&vals) >= (0.5 * m.smooth).max(0.25) {
                found_end = 0;
            }
        }
        let aligned = |o: usize| (o + elem - phase % elem).is_multiple_of(elem);
        // The first element boundary at or after the header and its text;
        // a text header's padding may have run into data that starts with
        // zeros.
        let mut offset = found_end.max(text_end);
        offset += (phase + elem - offset % elem) % elem;
        if offset > found_end && text_end > 0 {
            // The padding ran on into the data's first zero bytes (or
            // spaces) when the element boundary below its end holds a
            // value that fits the body.
            let down = offset.saturating_sub(elem);
            if offset > text_end && down >= found_end && !misfit(down) {
                offset = down;
            }
            offset = snap_down(s.head, offset, text_end, &aligned);
        } else if offset > 0 {
            // The last bytes of a binary header can pass for data by
            // chance, and the first values of noisy data for random bytes:
            // a round size (a multiple of 256 or 100) up to two elements
            // on, or up to 8 bytes and four elements back, is the better
            // bet.
            let round = |o: &usize| aligned(*o) && (o.is_multiple_of(256) || o.is_multiple_of(100));
            offset = (offset..=offset + 2 * elem)
                .find(round)
                .or_else(|| {
                    (offset.saturating_sub(8.min(4 * elem))..offset)
                        .rev()
                        .find(round)
                })
                .unwrap_or(offset);
        }
        if offset > 0 {
            why.push(header_evidence(offset as u64));
        }
        let elements = s.len.saturating_sub(offset as u64) / elem as u64;
        let row = row_length(&m.values, elements)
            .map(|(w, c)| {
                why.push(format!(
                    "rows of {w}: a row apart {:.0}% as different as distant values",
                    100.0 * c
                ));
                w
            })
            .or_else(|| {
                let (k, r) = m
                    .channels
                    .filter(|(k, _)| elements.is_multiple_of(*k as u64))?;
                why.push(format!(
                    "each value follows the one {k} before it ({:.0}% as different as its \
                     neighbour): {k} interleaved channels (or records of {k} fields)",
                    100.0 * r
                ));
                Some(k)
            });
        let c = Candidate {
            dtype: t.name.to_string(),
            record: None,
            offset: offset as u64,
            row,
            planar: false,
            count: (!(s.len - offset as u64).is_multiple_of(elem as u64)).then_some(elements),
            score: (score / best_score).clamp(0.0, 1.0),
            evidence: why,
        };
        // The best real reading may be two planes of I and Q: one-sided
        // most at the true pairing, and (to come first) more one-sided
        // than the same numbers read as interleaved pairs.
        // The header found, or a round size near it (a header's last
        // bytes can pass for data and shift the planes' middle).
        let offsets = std::iter::once(offset as u64).chain(
            [100u64, 256, 512, 1024, 2048, 4096]
                .into_iter()
                .filter(|&o| offset > 0 && o != offset as u64 && o.abs_diff(offset as u64) <= 128),
        );
        let planar = (!t.complex && tried_planar < 3 && !found_planar)
            .then(|| {
                offsets
                    .filter_map(|o| Some((one_sidedness(&planar_runs(&t, s, o))?, o)))
                    .find(|(p, _)| p.as_iq(PLANAR_ONE_SIDED))
            })
            .flatten()
            .map(|(p, at)| {
                let twin = TYPES
                    .iter()
                    .find(|x| x.complex && (x.part, x.num, x.big) == (t.part, t.num, t.big));
                // The same numbers read as interleaved pairs, or the best
                // complex reading (once per file), as I/Q samples.
                let twin_iq = twin.is_some_and(|x| {
                    best_complex.is_none_or(|(b, bp)| (b.name, bp) != (x.name, phase))
                        && interleaved_iq(x, s, phase)
                });
                let best_iq = *best_complex_iq.get_or_insert_with(|| {
                    best_complex.is_some_and(|(x, bp)| interleaved_iq(&x, s, bp))
                });
                (p.at_pairing, at, twin_iq || best_iq)
            });
        tried_planar += usize::from(!t.complex);
        found_planar |= planar.is_some();
        let planar = planar.map(|(u, at, interleaved)| {
            let plane = (s.len - at) / 2 / t.part as u64;
            let mut evidence = vec![format!(
                "two planes of {plane} values: I from the first paired with Q from the \
                 second puts {:.0}% of the spectrum's power on one side, as I/Q samples \
                 do (the signal is d[0] + 1j*d[1])",
                100.0 * u
            )];
            evidence.extend(
                c.evidence
                    .iter()
                    .filter(|e| **e != header_evidence(c.offset))
                    .cloned(),
            );
            if at > 0 {
                evidence.push(header_evidence(at));
            }
            Candidate {
                offset: at,
                row: Some(plane as usize),
                planar: true,
                count: None,
                // First when the interleaved reading of the same numbers
                // is no I/Q and the real reading itself fits; after the
                // real reading when the interleaved one is I/Q; else
                // second.
                score: if interleaved {
                    0.9 * c.score
                } else if u >= 0.9 && c.score >= 0.5 {
                    1.0 + 0.1 * u
                } else {
                    0.95
                },
                evidence,
                ..c.clone()
            }
        });
        if !out
            .iter()
            .any(|o| o.dtype == c.dtype && o.offset == c.offset && o.row == c.row)
        {
            out.push(c);
        }
        out.extend(planar);
        if out.len() >= 6 {
            break;
        }
    }
    let records = usize::from(out.first().is_some_and(|c| c.record.is_some()));
    out[records..].sort_by(|a, b| b.score.total_cmp(&a.score));
    let top = out.iter().map(|c| c.score).fold(0.0, f64::max).max(1e-12);
    for c in &mut out {
        c.score = (c.score / top).min(1.0);
    }
    if !structured {
        if let Some(c) = out.first_mut() {
            c.evidence.insert(
                0,
                "weak evidence: noise in every dtype tried (no byte pattern, no alike \
                 neighbours)"
                    .into(),
            );
        }
    }
    Ok(Finding::Layouts(out))
}

#[cfg(test)]
mod tests {
    use super::measure::{measure, REACH};
    use super::rows::oscillates;
    use super::*;

    /// [`super::guess`] outside any statement, which nothing cancels.
    fn guess(s: &Sample) -> Finding {
        super::guess(s).expect("nothing cancels a test")
    }

    fn sample(bytes: &[u8]) -> Sample<'_> {
        let head = &bytes[..bytes.len().min(65536)];
        let body: Vec<(u64, &[u8])> = (0..8)
            .map(|k| {
                let at = bytes.len() / 8 * k;
                let at = at.max(head.len().min(bytes.len() / 2));
                (at as u64, &bytes[at..(at + 65536).min(bytes.len())])
            })
            .collect();
        let half = bytes.len() / 2;
        let partners = body
            .iter()
            .filter(|(at, b)| *at as usize + b.len() + PARTNER_MARGIN <= half)
            .map(|&(at, b)| {
                let p = at as usize + half - PARTNER_MARGIN;
                (
                    p as u64,
                    &bytes[p..(p + b.len() + 2 * PARTNER_MARGIN).min(bytes.len())],
                )
            })
            .collect();
        Sample {
            len: bytes.len() as u64,
            head,
            body,
            partners,
        }
    }

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    #[test]
    fn magic_bytes_and_text_stop_the_guess() {
        for (bytes, what) in [
            (&b"\x93NUMPY\x01\x00"[..], "npy"),
            (b"PK\x03\x04rest", "zip"),
            (b"\x89HDF\r\n\x1a\nrest", "HDF5"),
            (b"II*\0rest", "TIFF"),
        ] {
            match guess(&sample(bytes)) {
                Finding::Format { what: w, .. } => assert!(w.contains(what), "{w}"),
                other => panic!("{what}: {other:?}"),
            }
        }
        let text = "1.0, 2.0, 3.0\n".repeat(1000);
        assert!(matches!(
            guess(&sample(text.as_bytes())),
            Finding::Text { .. }
        ));
    }

    #[test]
    fn the_byte_period_is_the_element_size() {
        // A slow float32 ramp: the exponent byte is quiet, every 4 bytes.
        let f: Vec<u8> = (0..200_000)
            .flat_map(|k| (1.0f32 + (k as f32 * 1e-4).sin()).to_le_bytes())
            .collect();
        assert_eq!(structure_period(&[(0, &f[..])]).0, 4);
        // int16 samples of moderate amplitude: the high byte is quiet.
        let i: Vec<u8> = noise(200_000, 3)
            .iter()
            .flat_map(|x| ((x * 2000.0) as i16).to_le_bytes())
            .collect();
        assert_eq!(structure_period(&[(0, &i[..])]).0, 2);
        // White bytes: no structure.
        let u: Vec<u8> = noise(200_000, 5)
            .iter()
            .map(|x| ((x + 0.5) * 255.0) as u8)
            .collect();
        assert_eq!(structure_period(&[(0, &u[..])]).0, 1);
    }

    #[test]
    fn smooth_values_are_smooth_only_in_their_own_dtype_and_byte_order() {
        let v: Vec<u8> = (0..100_000)
            .map(|k| ((k as f64 * 0.01).sin() * 20000.0) as i16)
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let body = [(0u64, &v[..])];
        let le = measure(named("<i2"), 0, &body);
        let be = measure(named(">i2"), 0, &body);
        assert!(
            le.smooth > 0.9 && be.smooth < 0.5,
            "{} {}",
            le.smooth,
            be.smooth
        );
    }

    #[test]
    fn white_noise_of_floats_is_found_by_its_exponents_and_noise_bytes_get_low_confidence() {
        let f = le_f32(&noise(500_000, 9));
        let Finding::Layouts(c) = guess(&sample(&f)) else {
            panic!("layouts")
        };
        assert!(
            c[..2].iter().any(|c| c.dtype == "<f4" || c.dtype == "<c8"),
            "{c:?}"
        );
        assert!(
            c[0].evidence
                .iter()
                .any(|e| e.contains("finite normal floats")),
            "{c:?}"
        );
    }

    #[test]
    fn random_bytes_say_the_evidence_is_weak_and_constant_bytes_say_so() {
        let u: Vec<u8> = noise(400_000, 11)
            .iter()
            .map(|x| ((x + 0.5) * 256.0) as u8)
            .collect();
        let Finding::Layouts(c) = guess(&sample(&u)) else {
            panic!("layouts")
        };
        assert!(c[0].evidence[0].starts_with("weak evidence"), "{c:?}");
        let zeros = vec![0u8; 300_000];
        assert!(matches!(
            guess(&sample(&zeros)),
            Finding::Constant { byte: 0 }
        ));
        // Float noise is not weak: its exponents cluster.
        let f = le_f32(&noise(300_000, 13));
        let Finding::Layouts(c) = guess(&sample(&f)) else {
            panic!("layouts")
        };
        assert!(
            !c[0].evidence.iter().any(|e| e.starts_with("weak")),
            "{c:?}"
        );
    }

    #[test]
    fn a_text_header_before_int16_samples_is_found() {
        let mut bytes = b"RATE = 48000\nGAIN = 3\n".to_vec();
        bytes.resize(512, 0);
        bytes.extend(
            (0..300_000)
                .map(|k| ((k as f64 * 0.003).sin() * 9000.0) as i16)
                .flat_map(|x| x.to_le_bytes()),
        );
        let Finding::Layouts(c) = guess(&sample(&bytes)) else {
            panic!("layouts")
        };
        assert_eq!((c[0].dtype.as_str(), c[0].offset), ("<i2", 512), "{c:?}");
    }

    #[test]
    fn rows_of_an_image_are_found_and_a_signal_has_none() {
        let (h, w) = (300usize, 640usize);
        let img: Vec<u8> = (0..h * w)
            .map(|k| {
                let (y, x) = ((k / w) as f64, (k % w) as f64);
                (((x * 0.02).sin() * (y * 0.03).cos() + 1.0) * 120.0) as u8
            })
            .collect();
        let Finding::Layouts(c) = guess(&sample(&img)) else {
            panic!("layouts")
        };
        assert_eq!((c[0].dtype.as_str(), c[0].row), ("u1", Some(640)), "{c:?}");
        let sig: Vec<u8> = (0..400_000)
            .flat_map(|k| ((k as f32 * 0.001).sin()).to_le_bytes())
            .collect();
        let Finding::Layouts(c) = guess(&sample(&sig)) else {
            panic!("layouts")
        };
        assert_eq!((c[0].dtype.as_str(), c[0].row), ("<f4", None), "{c:?}");
    }

    /// Values as little-endian float32 bytes.
    fn le_f32(xs: &[f64]) -> Vec<u8> {
        xs.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect()
    }

    fn named(name: &str) -> &'static Ty {
        super::named(name).expect("a dtype guess tries")
    }

    /// A complex tone with noise, as (I, Q) values.
    fn iq_tone(n: usize, f: f64, noise_level: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let (ni, nq) = (noise(n, seed), noise(n, seed + 1));
        (0..n)
            .map(|k| {
                let p = std::f64::consts::TAU * f * k as f64;
                (
                    1000.0 * (p.cos() + noise_level * ni[k]),
                    1000.0 * (p.sin() + noise_level * nq[k]),
                )
            })
            .unzip()
    }

    #[test]
    fn i_and_q_are_one_sided_at_their_own_pairing_and_real_halves_are_not() {
        let (i, q) = iq_tone(40_000, 0.13, 0.3, 21);
        let run = |i: &[f64], q: &[f64]| vec![(i[REACH..i.len() - REACH].to_vec(), q.to_vec())];
        let iq = one_sidedness(&run(&i, &q)).expect("a tone stands out");
        assert!(iq.as_iq(0.95) && iq.unmirrored > 0.5, "{iq:?}");
        // The same tone's I paired with itself (two halves of a real
        // signal in phase): both sides alike.
        let same = one_sidedness(&run(&i, &i)).expect("a tone stands out");
        assert!(same.at_pairing < 0.1, "{same:?}");
        // Neighbours of one real channel as pairs: one-sided, but pairing
        // with the value before mirrors it.
        let (even, odd): (Vec<f64>, Vec<f64>) = i.chunks_exact(2).map(|p| (p[0], p[1])).unzip();
        let pairs = one_sidedness(&run(&even, &odd)).expect("a tone stands out");
        assert!(pairs.unmirrored < 0.1, "{pairs:?}");
        // Noise alone: no bin stands out.
        let (a, b) = (noise(40_000, 3), noise(40_000, 4));
        assert_eq!(one_sidedness(&run(&a, &b)), None);
    }

    #[test]
    fn complex_samples_in_two_planes_are_found_as_planes_and_interleaved_ones_are_not() {
        let (i, q) = iq_tone(300_000, -0.21, 0.5, 5);
        let planes: Vec<u8> = i
            .iter()
            .chain(&q)
            .flat_map(|x| (*x as i16).to_le_bytes())
            .collect();
        let Finding::Layouts(c) = guess(&sample(&planes)) else {
            panic!("layouts")
        };
        assert!(c[0].planar && c[0].dtype == "<i2", "{c:?}");
        assert_eq!(c[0].row, Some(300_000));
        assert!(c[0].open_line("x").ends_with(" 2x300000 <i2"), "{c:?}");
        let pairs: Vec<u8> = i
            .iter()
            .zip(&q)
            .flat_map(|(a, b)| [*a as i16, *b as i16])
            .flat_map(i16::to_le_bytes)
            .collect();
        let Finding::Layouts(c) = guess(&sample(&pairs)) else {
            panic!("layouts")
        };
        assert!(!c[0].planar && c[0].dtype == "ci16", "{c:?}");
    }

    #[test]
    fn planes_are_paired_only_where_both_runs_fit() {
        // A partner that ends a few values after the pairing point leaves
        // no room for the shifted runs: no run, and nothing read past the
        // chunk (an image behind a 100-byte header found this).
        let bytes: Vec<u8> = (0..100_000u32)
            .flat_map(|k| (k as i16).to_le_bytes())
            .collect();
        let half = bytes.len() / 2;
        let reach = 2 * REACH;
        let s = Sample {
            len: bytes.len() as u64,
            head: &bytes[..4096],
            body: vec![(0, &bytes[..4096])],
            partners: vec![(half as u64, &bytes[half..half + reach + 10])],
        };
        assert!(planar_runs(named("<i2"), &s, 0).is_empty());
    }

    #[test]
    fn close_layouts_are_told_apart_by_how_they_differ() {
        let cand = |dtype: &str, offset: u64, row: Option<usize>, planar: bool| Candidate {
            dtype: dtype.into(),
            record: None,
            offset,
            row,
            planar,
            count: None,
            score: 1.0,
            evidence: Vec::new(),
        };
        let tell = |a: Candidate, b: Candidate| close_call(&[a, b]).expect("close");
        assert!(
            tell(cand("<i2", 0, None, false), cand(">i2", 0, None, false)).contains("byte order")
        );
        assert!(
            tell(cand("<u2", 0, None, false), cand("<i2", 0, None, false)).contains("signedness")
        );
        assert!(tell(cand("ci16", 0, None, false), cand("<i2", 0, None, false)).contains("psd"));
        assert!(
            tell(cand("<f4", 0, Some(9), true), cand("<f4", 0, None, false)).contains("planes")
        );
        assert!(tell(
            cand("<f4", 0, Some(640), false),
            cand("<f4", 0, Some(320), false)
        )
        .contains("image"));
        assert!(
            tell(cand("<f4", 0, None, false), cand("<f4", 512, None, false))
                .contains("byte 0 or 512")
        );
        assert!(
            tell(cand("<i2", 0, None, false), cand("<f2", 0, None, false))
                .contains("integer and the float")
        );
        let mut alike = cand("<u2", 0, None, false);
        alike.evidence = vec![format!(
            "no sampled value has its top bit set: {}",
            same_numbers("<i2")
        )];
        assert!(tell(alike, cand("<i2", 0, None, false)).contains("either is right"));
        let mut far = cand(">i2", 0, None, false);
        far.score = 0.5;
        assert_eq!(close_call(&[cand("<i2", 0, None, false), far]), None);
    }

    /// Roughly normal noise: the sum of four uniform draws.
    fn gaussian(n: usize, seed: u64) -> Vec<f64> {
        noise(4 * n, seed)
            .chunks(4)
            .map(|c| c.iter().sum())
            .collect()
    }

    /// Tones at `freqs` (cycles a sample) with a little noise.
    fn tones(n: usize, freqs: &[f64], seed: u64) -> Vec<f64> {
        noise(n, seed)
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let t = k as f64 * std::f64::consts::TAU;
                freqs.iter().map(|f| (t * f).sin()).sum::<f64>() + 0.1 * e
            })
            .collect()
    }

    #[test]
    fn a_binary_header_ends_where_the_data_begins_to_the_byte() {
        for (size, seed) in [(333usize, 21u64), (100, 22), (4096, 23)] {
            let mut bytes: Vec<u8> = noise(size, seed)
                .iter()
                .map(|x| ((x + 0.5) * 256.0) as u8)
                .collect();
            bytes.extend(le_f32(&tones(300_000, &[0.01317, 0.00213], seed)));
            let Finding::Layouts(c) = guess(&sample(&bytes)) else {
                panic!("layouts")
            };
            assert_eq!(
                (c[0].dtype.as_str(), c[0].offset),
                ("<f4", size as u64),
                "{c:?}"
            );
        }
        // The negative: the same signal with nothing before it.
        let bytes = le_f32(&tones(300_000, &[0.01317, 0.00213], 24));
        let Finding::Layouts(c) = guess(&sample(&bytes)) else {
            panic!("layouts")
        };
        assert_eq!((c[0].dtype.as_str(), c[0].offset), ("<f4", 0), "{c:?}");
    }

    #[test]
    fn records_after_a_binary_header_start_where_records_repeat() {
        // (u2 counter, u1 flag, u1 spare, f4 random walk): 8 bytes.
        let walk = gaussian(60_000, 31);
        let mut level = 100.0f32;
        let records: Vec<u8> = walk
            .iter()
            .enumerate()
            .flat_map(|(k, d)| {
                level += *d as f32;
                let mut r = (k as u16).to_le_bytes().to_vec();
                r.extend([(k % 3) as u8, 0]);
                r.extend(level.to_le_bytes());
                r
            })
            .collect();
        let body = [(0u64, &records[..])];
        assert_eq!(record_header_end(&records, &body, 8, 0), 0);
        let mut bytes: Vec<u8> = noise(100, 32)
            .iter()
            .map(|x| ((x + 0.5) * 256.0) as u8)
            .collect();
        bytes.extend(&records);
        let body = [(4096u64, &bytes[4096..])];
        assert_eq!(record_header_end(&bytes, &body, 8, 100 % 8), 100);
    }

    #[test]
    fn mantissa_bits_tell_floats_from_their_misread_neighbour() {
        // Little-endian float32 read big-endian three bytes on keeps each
        // exponent byte in place; only the right reading has mantissas
        // that follow the values' density.
        let f = le_f32(&gaussian(200_000, 41));
        let body = [(0u64, &f[..])];
        let right = measure(named("<f4"), 0, &body).mantissa_info;
        let twin = measure(named(">f4"), 3, &body).mantissa_info;
        assert!(right > 0.01 && twin < 0.25 * right, "{right} {twin}");
    }

    #[test]
    fn a_tone_follows_from_the_two_values_before_it_and_noise_does_not() {
        // Near the Nyquist rate, where neighbours differ most.
        assert!(smoothness(&tones(20_000, &[0.43], 51)) > 0.85);
        assert!(smoothness(&noise(20_000, 52)) < 0.05);
    }

    #[test]
    fn a_tone_repeating_at_a_factor_of_the_length_is_no_image() {
        // 1024 samples a period, and 2^18 samples: rows of 1024 would fit
        // the file, but the values oscillate along it.
        let sig = tones(1 << 18, &[1.0 / 1024.0, 1.0 / 64.0], 61);
        assert_eq!(row_length(&[sig], 1 << 18), None);
    }

    #[test]
    fn implausible_float32_values_are_counted_and_plausible_ones_are_not() {
        let smooth = le_f32(&tones(4096, &[0.01, 0.07], 3));
        assert_eq!(implausible_f32_share(&smooth), 0.0);
        // int16 samples read as float32: the high sample lands in the
        // exponent, small values make subnormals.
        let ints: Vec<u8> = (0..8192i16)
            .flat_map(|k| ((k % 200) - 100).to_le_bytes())
            .collect();
        assert!(implausible_f32_share(&ints) > 0.9);
        let nans = le_f32(&[f64::NAN, 1.0, 1e30, 0.0]);
        assert_eq!(implausible_f32_share(&nans), 0.5);
    }

    fn layouts(bytes: &[u8]) -> Vec<Candidate> {
        match guess(&sample(bytes)) {
            Finding::Layouts(c) => c,
            other => panic!("layouts, not {other:?}"),
        }
    }

    /// The readings of bench/guess_corpus.py seed 9001 f125.bin (noisy ci8
    /// I/Q), as measured: <i8 at byte 5 (a top byte every eighth, aliased
    /// to a slow tone) fitted better than ci8 itself, and came first.
    #[test]
    fn wide_integers_over_narrow_samples_lose_to_the_samples() {
        let reading = |name: &str, phase, score, smooth, least, ar| -> Reading {
            let m = Measure {
                smooth,
                smooth_least: least,
                ar,
                ..Measure::default()
            };
            (score, *named(name), phase, m, Vec::new())
        };
        let mut found = vec![
            reading("<i8", 5, 0.6226, 0.84, 0.84, (1.65, -0.95)),
            reading("ci8", 0, 0.6169, 0.303, 0.30, (0.94, -0.42)),
        ];
        demote_decimations(&mut found);
        assert!(found[0].0 < found[1].0, "{found:?}");
        assert!(found[0].4[0].contains("ci8"), "{found:?}");
        // 32-bit PCM read as ci16: one channel is the high halves (smooth),
        // the other the low halves (noise): no narrower fit.
        let mut found = vec![
            reading("<i4", 0, 0.9, 0.99, 0.99, (1.9, -0.95)),
            reading("ci16", 2, 0.9, 0.5, 0.0, (1.9, -0.95)),
        ];
        demote_decimations(&mut found);
        assert_eq!(found[0].0, 0.9, "{found:?}");
    }

    #[test]
    fn wide_integers_are_found_in_their_own_size_and_signedness() {
        // 32-bit PCM near full scale.
        let pcm: Vec<u8> = tones(300_000, &[0.0113, 0.0021], 51)
            .iter()
            .flat_map(|x| ((x * 7e8) as i32).to_le_bytes())
            .collect();
        let c = layouts(&pcm);
        assert_eq!((c[0].dtype.as_str(), c[0].row), ("<i4", None), "{c:?}");
        // Nanosecond timestamps a millisecond apart, big-endian: signed
        // first (NumPy's datetime64), and said to read alike unsigned.
        let stamps: Vec<u8> = noise(200_000, 52)
            .iter()
            .enumerate()
            .flat_map(|(k, e)| {
                (1_700_000_000_000_000_000i64 + k as i64 * 1_000_000 + (e * 1e4) as i64)
                    .to_be_bytes()
            })
            .collect();
        let c = layouts(&stamps);
        assert_eq!((c[0].dtype.as_str(), c[0].record), (">i8", None), "{c:?}");
        assert!(
            c[0].evidence
                .iter()
                .any(|e| e.contains(">u8 reads the same")),
            "{c:?}"
        );
        // Counts across 2^31: the signed reading wraps, the unsigned one
        // does not.
        let counts: Vec<u8> = (0..300_000)
            .flat_map(|k| ((3e9 + 1e9 * (k as f64 * 0.0007).sin()) as u32).to_le_bytes())
            .collect();
        let c = layouts(&counts);
        assert_eq!(c[0].dtype, "<u4", "{c:?}");
    }

    #[test]
    fn interleaved_channels_of_floats_are_rows_of_them() {
        let (x, y, z) = (
            tones(120_000, &[0.0011], 61),
            tones(120_000, &[0.0007, 0.0002], 62),
            tones(120_000, &[0.0031], 63),
        );
        let xyz: Vec<f64> = (0..x.len())
            .flat_map(|k| [30.0 * x[k], 20.0 * y[k] + 5.0, 25.0 * z[k] - 2.0])
            .collect();
        // The fields' byte patterns may show records of 12 bytes first.
        let c = layouts(&le_f32(&xyz));
        let rows = c
            .iter()
            .position(|c| (c.dtype.as_str(), c.row) == ("<f4", Some(3)));
        assert!(
            rows.is_some_and(|k| k == 0 || k == 1 && c[0].record == Some(12)),
            "{c:?}"
        );
    }

    #[test]
    fn a_random_header_before_loud_noisy_iq_is_found() {
        let mut bytes: Vec<u8> = noise(1024, 71)
            .iter()
            .map(|x| ((x + 0.5) * 256.0) as u8)
            .collect();
        let (i, q) = iq_tone(400_000, 0.41, 0.5, 72);
        bytes.extend(
            i.iter()
                .zip(&q)
                .flat_map(|(a, b)| [(a * 7.0) as i16, (b * 7.0) as i16])
                .flat_map(i16::to_le_bytes),
        );
        let c = layouts(&bytes);
        assert_eq!((c[0].dtype.as_str(), c[0].offset), ("ci16", 1024), "{c:?}");
    }

    /// Steep rows differ more a few steps along than random pairs do, as
    /// a tone does; but they do not come back until the next row.
    #[test]
    fn a_tone_comes_back_within_a_few_periods_and_steep_rows_do_not() {
        // |v[k] - v[k - lag]| of a tone of period 20, against random pairs.
        let tone = |lag: usize| Some((std::f64::consts::PI * lag as f64 / 20.0).sin().abs() * 1.6);
        assert!(oscillates(&tone));
        // Rows of 300 that rise steeply: growing with the lag until 300.
        let rows = |lag: usize| Some(lag.min(300) as f64 / 40.0);
        assert!(!oscillates(&rows));
    }

    #[test]
    fn negative_numbers_read_signed_and_small_ones_unsigned() {
        let ramp = |sign: f64| -> Vec<u8> {
            (0..300_000)
                .flat_map(|k| {
                    ((sign * (2e5 + 1e5 * (k as f64 * 0.0007).sin())) as i32).to_le_bytes()
                })
                .collect()
        };
        assert_eq!(layouts(&ramp(-1.0))[0].dtype, "<i4");
        let c = layouts(&ramp(1.0));
        assert_eq!(c[0].dtype, "<u4", "{c:?}");
        assert!(
            c[0].evidence
                .iter()
                .any(|e| e.contains("<i4 reads the same")),
            "{c:?}"
        );
    }
}
