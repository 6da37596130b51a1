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
//! - **Rows**: among the factors of the element count, a row length whose
//!   vertical neighbours resemble each other more than the diagonal ones.
//! - **Headers**: leading bytes that are text, padding, or do not fit the
//!   body's values, up to the first element boundary after them.

/// What `guess` reads of a file: its length, its first bytes, and chunks
/// spread over the rest (offset, bytes).
pub struct Sample<'a> {
    pub len: u64,
    pub head: &'a [u8],
    pub body: Vec<(u64, &'a [u8])>,
}

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
            (Some(r), _, _) => s.push_str(&format!(" {} u1", rows(r))),
            (None, Some(w), _) => s.push_str(&format!(" {} {}", rows(w), self.dtype)),
            (None, None, Some(n)) => s.push_str(&format!(" {n} {}", self.dtype)),
            (None, None, None) => s.push_str(&format!(" {}", self.dtype)),
        }
        s
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int,
    UInt,
    Float,
}

/// A dtype `guess` considers: its spelling, part size, kind, complex,
/// big-endian.
#[derive(Clone, Copy, Debug)]
struct Ty {
    name: &'static str,
    part: usize,
    num: Num,
    complex: bool,
    big: bool,
}

const fn ty(name: &'static str, part: usize, num: Num, complex: bool, big: bool) -> Ty {
    Ty {
        name,
        part,
        num,
        complex,
        big,
    }
}

const TYPES: &[Ty] = &[
    ty("u1", 1, Num::UInt, false, false),
    ty("i1", 1, Num::Int, false, false),
    ty("<u2", 2, Num::UInt, false, false),
    ty(">u2", 2, Num::UInt, false, true),
    ty("<i2", 2, Num::Int, false, false),
    ty(">i2", 2, Num::Int, false, true),
    ty("<i4", 4, Num::Int, false, false),
    ty(">i4", 4, Num::Int, false, true),
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
];

/// The magic bytes of formats, and what to say.
fn sniff(head: &[u8]) -> Option<Finding> {
    let starts = |m: &[u8]| head.starts_with(m);
    let format = |what: &str, opens: bool, hint: &str| {
        Some(Finding::Format {
            what: what.into(),
            opens,
            hint: hint.into(),
        })
    };
    if starts(b"\x93NUMPY") {
        return format(
            "a NumPy .npy file",
            true,
            "open it as it is: its header gives the layout",
        );
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return format(
            "a zip archive (a NumPy .npz?)",
            true,
            "open it as it is: each stored .npy member becomes a name",
        );
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return format(
            "a tar archive (a .sigmf archive?)",
            false,
            "extract it (tar xf) and open the .sigmf-meta or .sigmf-data inside",
        );
    }
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        return format(
            "a TIFF (GeoTIFF?) image",
            false,
            "gdal_translate -of ENVI f.tif f.img writes raw bands and a header: open f.hdr",
        );
    }
    if starts(b"\x89HDF\r\n\x1a\n") {
        return format(
            "an HDF5 (or NetCDF-4) file",
            false,
            "read it with h5py or xarray",
        );
    }
    if starts(b"CDF\x01") || starts(b"CDF\x02") || starts(b"CDF\x05") {
        return format(
            "a NetCDF classic file",
            false,
            "read it with netCDF4 or xarray",
        );
    }
    if starts(b"SIMPLE  =") {
        return format("a FITS file", false, "read it with astropy.io.fits");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return format(
            "a PNG image",
            false,
            "decode it with an image library first",
        );
    }
    if starts(b"\xff\xd8\xff") {
        return format(
            "a JPEG image",
            false,
            "decode it with an image library first",
        );
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]);
    let t = text.trim_start();
    if t.starts_with("<VRTDataset") {
        return format("a GDAL VRT description", true, "open it as it is");
    }
    if t.starts_with("<?xml") || t.starts_with('<') && is_text(head) {
        return format(
            "XML text",
            false,
            "a description of data, not data: look for the file it names",
        );
    }
    if (t.starts_with('{') || t.starts_with('[')) && is_text(head) {
        return format(
            "JSON text (a .sigmf-meta?)",
            t.contains("core:datatype"),
            "a SigMF description opens as it is; other JSON describes data kept elsewhere",
        );
    }
    if t.starts_with("ENVI") {
        return format(
            "an ENVI header",
            true,
            "open it as it is: it opens the image it describes",
        );
    }
    None
}

/// Text: valid UTF-8 (a character cut at the end aside), printable, with
/// the spaces or line breaks that separate words and numbers.
fn is_text(b: &[u8]) -> bool {
    let s = match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) if e.valid_up_to() + 4 >= b.len() && e.error_len().is_none() => {
            std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    let n = s.chars().count();
    let printable = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    let gaps = s.chars().filter(|c| c.is_whitespace()).count();
    n > 0 && printable * 100 >= n * 97 && gaps * 200 >= n
}

/// Shannon entropy (bits) of byte histograms.
fn entropy(h: &[u64; 256]) -> f64 {
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
fn column_entropy(body: &[(u64, &[u8])], period: usize) -> Vec<f64> {
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
fn structure_period(body: &[(u64, &[u8])]) -> (usize, f64, Vec<f64>) {
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

fn decode(t: &Ty, b: &[u8]) -> f64 {
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
        (Num::Float, 4) => rd!(f32, 4) as f64,
        (Num::Float, 8) => rd!(f64, 8),
        _ => f64::NAN,
    }
}

fn valid_float(x: f64) -> bool {
    x == 0.0 || (x.is_finite() && x.abs() > 1e-30 && x.abs() < 1e30)
}

/// What the values of one dtype at one alignment look like.
#[derive(Clone, Debug, Default)]
struct Measure {
    /// Fraction of valid values (floats: finite, normal, not absurd).
    valid: f64,
    /// 1 - (mean neighbour difference / mean distant difference), per
    /// channel, averaged: 0 for noise, near 1 for smooth signals.
    smooth: f64,
    /// Floats: fraction of non-zero values within four decades of the
    /// median magnitude.
    cluster: f64,
    /// Complex: the magnitude of the lag-1 autocorrelation of the complex
    /// samples over their power (a steadily turning phase), and the
    /// balance of the two parts' variances.
    turn: f64,
    balance: f64,
    /// Complex: |correlation| of the two parts of each pair (near 0 for
    /// I/Q samples in quadrature, high for a real signal taken in pairs).
    pair_corr: f64,
    /// Integers: fraction of neighbours (channel 0) more than half the
    /// type's range apart: a wrap, rare in the right signedness.
    jumps: f64,
    /// Fraction of values in the inner half of the type's range (1-byte
    /// types: |x| < 64 after centring), low when bytes are read wrapped.
    inner: f64,
    /// The values of the first channel of the first chunks, in order (for
    /// rows), and every value's range.
    values: Vec<Vec<f64>>,
    lo: f64,
    hi: f64,
    /// Channel 0: mean |difference| of neighbours and of distant values.
    near_abs: f64,
    far_abs: f64,
}

fn measure(t: &Ty, phase: usize, body: &[(u64, &[u8])]) -> Measure {
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
                let good = t.num != Num::Float || valid_float(*x);
                if good {
                    ok += usize::from(c == 0);
                    if t.num == Num::Float && *x != 0.0 && logs.len() < 200_000 {
                        logs.push(x.abs().log10());
                    }
                    lo = lo.min(*x);
                    hi = hi.max(*x);
                } else {
                    *x = 0.0;
                }
            }
            let half = v.len() / 2;
            if c == 0 && t.num != Num::Float {
                let wrap = 2f64.powi(8 * t.part as i32 - 1);
                jumps += v.windows(2).filter(|w| (w[1] - w[0]).abs() > wrap).count();
                steps += v.len().saturating_sub(1);
            }
            for k in 1..half {
                near[c] += (v[k] - v[k - 1]).abs();
                far[c] += (v[k] - v[k + half]).abs();
            }
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
    let smooth = (0..chans)
        .map(|c| {
            if far[c] > 0.0 {
                (1.0 - near[c] / far[c]).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / chans as f64;
    let cluster = if logs.is_empty() {
        0.0
    } else {
        let mut s = logs.clone();
        s.sort_by(f64::total_cmp);
        let med = s[s.len() / 2];
        s.iter().filter(|&&l| (l - med).abs() <= 4.0).count() as f64 / s.len() as f64
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
    Measure {
        near_abs,
        far_abs,
        pair_corr,
        inner: if n == 0 { 0.0 } else { inner as f64 / n as f64 },
        jumps: if steps == 0 {
            0.0
        } else {
            jumps as f64 / steps as f64
        },
        valid: if n == 0 { 0.0 } else { ok as f64 / n as f64 },
        smooth,
        cluster,
        turn,
        balance,
        values,
        lo,
        hi,
    }
}

/// How strongly the byte entropy at each part's most significant byte
/// stands below its least significant byte (0..1), for a dtype at an
/// alignment, given the entropies of the columns modulo `period`.
fn msb_quiet(t: &Ty, phase: usize, cols: &[f64]) -> f64 {
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

/// The row length of 2-D data: among the factors of `elements` from 16
/// to a third of the sample's runs, the one whose vertical neighbours
/// (values a row apart) differ least against distant values, when they
/// differ about as little as horizontal neighbours do and clearly less
/// than values a little off the row length: a dip, which a 1-D signal
/// (differences growing with distance) does not show.
fn row_length(values: &[Vec<f64>], elements: u64) -> Option<(usize, f64)> {
    let longest = values.iter().map(Vec::len).max()?;
    // Distant values: the same positions of the next chunk (far apart in
    // the file), or the other half of a lone chunk.
    let far = {
        let (mut f, mut n) = (0.0, 0usize);
        if values.len() > 1 {
            for pair in values.windows(2) {
                for (a, b) in pair[0].iter().zip(&pair[1]) {
                    f += (a - b).abs();
                    n += 1;
                }
            }
        } else {
            let v = &values[0];
            let half = v.len() / 2;
            for k in 0..half {
                f += (v[k] - v[k + half]).abs();
                n += 1;
            }
        }
        if n == 0 || f == 0.0 {
            return None;
        }
        f / n as f64
    };
    let lag_cost = |lag: usize| -> Option<f64> {
        let (mut d, mut n) = (0.0, 0usize);
        for v in values {
            for k in lag..v.len() {
                d += (v[k] - v[k - lag]).abs();
                n += 1;
            }
        }
        (n > 64).then(|| d / n as f64 / far)
    };
    let near = lag_cost(1)?;
    if near > 0.7 {
        // Neighbours as different as anything: nothing to tell rows by.
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
    // Rows a multiple apart are alike too: the shortest row within 5% of
    // the best.
    let least = accepted.iter().map(|a| a.1).fold(f64::INFINITY, f64::min);
    accepted.into_iter().find(|a| a.1 <= 1.05 * least)
}

/// How likely bytes are under the body's byte histogram: the mean log2
/// probability of a 32-byte block, and a level a bit below every block
/// of the body.
struct ByteModel {
    logp: [f64; 256],
    floor: f64,
}

fn byte_model(body: &[(u64, &[u8])]) -> ByteModel {
    let mut h = [1u64; 256];
    for (_, b) in body {
        for &c in *b {
            h[c as usize] += 1;
        }
    }
    let total: u64 = h.iter().sum();
    let mut logp = [0.0; 256];
    for (l, &c) in logp.iter_mut().zip(&h) {
        *l = (c as f64 / total as f64).log2();
    }
    let mut blocks: Vec<f64> = body
        .iter()
        .flat_map(|(_, b)| b.chunks_exact(32))
        .map(|b| b.iter().map(|&c| logp[c as usize]).sum::<f64>() / 32.0)
        .collect();
    blocks.sort_by(f64::total_cmp);
    // Below every block of the body by a bit: bytes the body never shows
    // so (a header of random or packed bytes before concentrated data).
    let floor = blocks.first().copied().unwrap_or(f64::MIN) - 1.0;
    ByteModel { logp, floor }
}

impl ByteModel {
    /// Bytes the body would hardly show: spread over many values (as
    /// packed or random bytes are; a smooth run of an image is not) and
    /// below the body's likelihood.
    fn unlikely(&self, b: &[u8]) -> bool {
        let mut seen = [false; 256];
        let distinct = b
            .iter()
            .filter(|&&c| !std::mem::replace(&mut seen[c as usize], true))
            .count();
        distinct * 4 >= b.len() * 3
            && b.iter().map(|&c| self.logp[c as usize]).sum::<f64>() / (b.len() as f64) < self.floor
    }
}

/// Where the head stops being a header: the end of a prefix of leading
/// text, the padding after it, and bytes that the body's values (`fits`)
/// or its byte histogram make unlikely, refined to the first element
/// boundary (`phase` modulo `elem`) from which the bytes fit; 0 when the
/// data starts at once.
fn header_end(
    head: &[u8],
    model: &ByteModel,
    elem: usize,
    phase: usize,
    fits: impl Fn(&[u8], usize) -> bool,
) -> usize {
    const BLOCK: usize = 32;
    let texty = |b: &[u8]| {
        b.iter()
            .filter(|&&c| matches!(c, b'\n' | b'\r' | b'\t' | 0x20..=0x7e))
            .count()
            * 10
            >= b.len() * 9
    };
    let limit = head.len().min(1 << 16);
    let (mut end, mut k, mut after_text, mut fitting) = (0, 0, false, 0);
    while k + BLOCK <= limit {
        let b = &head[k..k + BLOCK];
        let pad = b.iter().all(|&c| c == 0) || b.iter().all(|&c| c == b' ');
        // Text (its padding may share the last block).
        let inked: Vec<u8> = b.iter().copied().filter(|&c| c != 0).collect();
        let text = inked.len() >= 8 && texty(&inked) && b.contains(&b'\n');
        let misfit = !fits(b, k) || model.unlikely(b);
        if text || misfit || (pad && after_text) {
            end = k + BLOCK;
            after_text |= text;
            fitting = 0;
        } else {
            fitting += 1;
            // The header is a prefix: three blocks of data end it.
            if end == 0 || fitting == 3 {
                break;
            }
        }
        k += BLOCK;
    }
    if end == 0 {
        return 0;
    }
    // The header ends within its last block, after its text and the
    // padding that follows: the first element boundary from which 64
    // bytes fit.
    let mut e = end.saturating_sub(BLOCK);
    if after_text {
        while e < head.len() && (head[e] == 0 || head[e] == b' ' || texty(&head[e..e + 1])) {
            if head[e] != 0 && head[e] != b' ' && e >= end {
                break;
            }
            e += 1;
        }
    }
    let aligned = |o: usize| (o + elem - phase % elem).is_multiple_of(elem);
    // Headers are mostly round: a multiple of 256 near the end that the
    // data fits from, or one a few padding bytes below.
    let good = |o: usize| {
        o + 64 <= head.len()
            && aligned(o)
            && fits(&head[o..o + 64], o)
            && !model.unlikely(&head[o..o + 64])
    };
    let round =
        (end.saturating_sub(BLOCK)..end + BLOCK).find(|&o| o > 0 && o % 256 == 0 && good(o));
    if let Some(r) = round {
        return r;
    }
    let mut o = e;
    while o < end + BLOCK && o + 64 <= head.len() {
        if good(o) {
            return snap_down(head, o, &aligned);
        }
        o += 1;
    }
    (e..e + elem).find(|&o| aligned(o)).unwrap_or(e)
}

/// A header end `o` found a few bytes late because the data starts with
/// zeros: the multiple of 100 or 256 at most 8 bytes below, when only
/// zero bytes lie between and it is an element boundary.
fn snap_down(head: &[u8], o: usize, aligned: &dyn Fn(usize) -> bool) -> usize {
    (o.saturating_sub(8)..o)
        .find(|&r| {
            r > 0
                && (r % 100 == 0 || r % 256 == 0)
                && aligned(r)
                && head[r..o].iter().all(|&c| c == 0)
        })
        .unwrap_or(o)
}

/// The value test of [`header_end`] for dtype `t` at `phase`: most
/// values valid and within the body's range (widened by half).
fn value_fit<'a>(t: &'a Ty, phase: usize, m: &Measure) -> impl Fn(&[u8], usize) -> bool + 'a {
    let elem = t.part * if t.complex { 2 } else { 1 };
    let width = (m.hi - m.lo).max(1e-300);
    let (lo, hi) = (m.lo - 0.5 * width, m.hi + 0.5 * width);
    // A smooth body: a block whose neighbours jump as distant values
    // differ is not of it (random bytes that happen to be in range).
    let smooth = m.far_abs > 0.0 && m.near_abs < 0.5 * m.far_abs;
    let (near_abs, far_abs) = (m.near_abs, m.far_abs);
    move |b: &[u8], start: usize| -> bool {
        let skip = (phase + elem - start % elem) % elem;
        if b.len() < skip + elem {
            return true;
        }
        let vals: Vec<f64> = b[skip..]
            .chunks_exact(t.part)
            .map(|c| decode(t, c))
            .collect();
        let good = vals
            .iter()
            .filter(|&&x| (t.num != Num::Float || valid_float(x)) && x >= lo && x <= hi)
            .count();
        let step = t.complex as usize + 1;
        let jumpy = smooth && vals.len() > 2 * step + 2 && {
            let d: f64 = vals
                .windows(step + 1)
                .map(|w| (w[step] - w[0]).abs())
                .sum::<f64>()
                / (vals.len() - step) as f64;
            d > 0.8 * far_abs && d > 3.0 * near_abs
        };
        good as f64 >= 0.6 * vals.len() as f64 && !jumpy
    }
}

/// The end of leading text and the padding after it (0 without text).
fn text_header_end(head: &[u8]) -> usize {
    let lines = head
        .iter()
        .take_while(|&&c| matches!(c, b'\n' | b'\r' | b'\t' | 0x20..=0x7e))
        .count();
    let text = &head[..lines];
    if lines < 16 || !text.contains(&b'\n') {
        return 0;
    }
    let pad = head[lines..]
        .iter()
        .take_while(|&&c| c == 0 || c == b' ')
        .count();
    lines + pad
}

/// The most plausible layouts of the sampled file, best first.
pub fn guess(s: &Sample) -> Finding {
    if let Some(f) = sniff(s.head) {
        return f;
    }
    if is_text(s.head) && s.body.iter().all(|(_, b)| is_text(&b[..b.len().min(4096)])) {
        return Finding::Text {
            hint: "numbers written as text load with np.loadtxt, not as raw bytes".into(),
        };
    }
    let first = s.head.first().copied().unwrap_or(0);
    if s.head
        .iter()
        .chain(s.body.iter().flat_map(|(_, b)| b.iter()))
        .all(|&b| b == first)
    {
        return Finding::Constant { byte: first };
    }
    let body: Vec<(u64, &[u8])> = if s.body.is_empty() {
        vec![(0, s.head)]
    } else {
        s.body.clone()
    };
    let (period, contrast, _) = structure_period(&body);
    let model = byte_model(&body);
    let mut found: Vec<(f64, Ty, usize, Measure, Vec<String>)> = Vec::new();
    for t in TYPES {
        let elem = t.part * if t.complex { 2 } else { 1 };
        for phase in 0..elem {
            if t.complex && phase % t.part != 0 && t.part > 1 {
                continue;
            }
            let m = measure(t, phase, &body);
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
            let quiet = msb_quiet(t, phase, &column_entropy(&body, elem.max(t.part)));
            let fit = 0.25 + 0.45 * m.smooth + 0.3 * quiet;
            score *= period_fit * fit;
            if t.num != Num::Float {
                score *= 1.0 - (100.0 * m.jumps).min(0.8);
                if m.jumps > 0.01 {
                    why.push(format!(
                        "{:.1}% of neighbours jump half the range (wrong signedness?)",
                        100.0 * m.jumps
                    ));
                }
            }

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
    }
    // Bits that read as clustered, normal floats are floats: integers of
    // the same size lose to them.
    let floaty = |part: usize| {
        found
            .iter()
            .filter(|f| f.1.num == Num::Float && f.1.part == part)
            .map(|f| f.3.valid * f.3.cluster)
            .fold(0.0f64, f64::max)
    };
    let float_parts: Vec<(usize, f64)> = [4usize, 8].iter().map(|&p| (p, floaty(p))).collect();
    for f in found.iter_mut() {
        if f.1.num != Num::Float {
            if let Some(&(_, q)) = float_parts.iter().find(|(p, _)| *p == f.1.part) {
                if q > 0.95 {
                    f.0 *= 0.6;
                }
            }
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
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best_score = found.first().map_or(1.0, |f| f.0).max(1e-12);
    let mut out: Vec<Candidate> = Vec::new();
    // Records: a byte pattern that is no scalar's size, or 8 bytes with
    // two quiet (most significant) bytes 4 apart: two 4-byte fields.
    let cols8 = column_entropy(&body, 8);
    let two_fields = period == 8 && (0..4).any(|k| cols8[k] < 4.0 && cols8[k + 4] < 4.0);
    if contrast >= 0.3 && period > 2 && (!matches!(period, 4 | 8) || two_fields) {
        // The header before records: where the best scalar reading of the
        // bytes starts to fit, or the end of leading text.
        let f = &found[0];
        let scalar = header_end(s.head, &model, 1, 0, value_fit(&f.1, f.2, &f.3));
        let scalar = if scalar + 1024 > s.head.len() {
            0
        } else {
            scalar
        };
        let end = scalar.max(text_header_end(s.head));
        // Records give no element boundary to refine by: a round size
        // (a multiple of 100 or 256) within 40 bytes is the better bet.
        let end = if end == 0 {
            0
        } else {
            (end.saturating_sub(40)..=end + 40)
                .filter(|r| *r > 0 && (r % 256 == 0 || r % 100 == 0))
                .min_by_key(|r| r.abs_diff(end))
                .unwrap_or(end)
        };
        out.push(Candidate {
            dtype: format!("V{period}"),
            record: Some(period),
            offset: end as u64,
            row: None,
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
    let text_end = text_header_end(s.head);
    for (score, t, phase, m, mut why) in found.into_iter().take(12) {
        let elem = t.part * if t.complex { 2 } else { 1 };
        let mut offset = header_end(s.head, &model, elem, phase, value_fit(&t, phase, &m));
        // The first element boundary at or after the header.
        offset += (phase + elem - offset % elem) % elem;
        if offset > 0 {
            why.push(format!(
                "the first {offset} bytes do not fit the rest (a header?)"
            ));
        }
        // Data starts at the start, or where a text header ends: another
        // alignment needs more evidence.
        let score = if phase != 0 && !(text_end > 0 && offset == text_end) {
            score * 0.9
        } else {
            score
        };
        let elements = s.len.saturating_sub(offset as u64) / elem as u64;
        let row = row_length(&m.values, elements).map(|(w, c)| {
            why.push(format!(
                "rows of {w}: a row apart {:.0}% as different as distant values",
                100.0 * c
            ));
            w
        });
        let c = Candidate {
            dtype: t.name.to_string(),
            record: None,
            offset: offset as u64,
            row,
            count: (!(s.len - offset as u64).is_multiple_of(elem as u64)).then_some(elements),
            score: (score / best_score).clamp(0.0, 1.0),
            evidence: why,
        };
        if !out
            .iter()
            .any(|o| o.dtype == c.dtype && o.offset == c.offset && o.row == c.row)
        {
            out.push(c);
        }
        if out.len() == 6 {
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
    Finding::Layouts(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(bytes: &[u8]) -> Sample<'_> {
        let head = &bytes[..bytes.len().min(65536)];
        let body: Vec<(u64, &[u8])> = (0..8)
            .map(|k| {
                let at = bytes.len() / 8 * k;
                let at = at.max(head.len().min(bytes.len() / 2));
                (at as u64, &bytes[at..(at + 65536).min(bytes.len())])
            })
            .collect();
        Sample {
            len: bytes.len() as u64,
            head,
            body,
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
        let le = measure(&TYPES[4], 0, &body);
        let be = measure(&TYPES[5], 0, &body);
        assert!(
            le.smooth > 0.9 && be.smooth < 0.5,
            "{} {}",
            le.smooth,
            be.smooth
        );
    }

    #[test]
    fn white_noise_of_floats_is_found_by_its_exponents_and_noise_bytes_get_low_confidence() {
        let f: Vec<u8> = noise(500_000, 9)
            .iter()
            .flat_map(|x| (*x as f32).to_le_bytes())
            .collect();
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
        let f: Vec<u8> = noise(300_000, 13)
            .iter()
            .flat_map(|x| (*x as f32).to_le_bytes())
            .collect();
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
}
