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

use crate::control::Interrupted;

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

/// The one-sidedness above which two planes are taken for I and Q.
const PLANAR_ONE_SIDED: f64 = 0.7;

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

/// A dtype of [`TYPES`] by its spelling.
fn named(name: &str) -> Option<&'static Ty> {
    TYPES.iter().find(|t| t.name == name)
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

/// The dtypes tried. Where both signednesses read alike (no value with its
/// top bit set) the first of the two here comes first: unsigned up to 4
/// bytes (counts, pixels), signed for 8 (NumPy's default integer, and
/// datetime64).
const TYPES: &[Ty] = &[
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
            "a tar archive (a SigMF archive?)",
            false,
            "a SigMF archive opens as it is when its name ends in .sigmf; else extract it (tar xf)",
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
fn valid_float(x: f64, part: usize) -> bool {
    let least = if part == 2 { 6.103_515_625e-5 } else { 1e-30 };
    x == 0.0 || (x.is_finite() && x.abs() >= least && x.abs() < 1e30)
}

/// A reading while it is scored: score, dtype, alignment, measure, and
/// the evidence in words.
type Reading = (f64, Ty, usize, Measure, Vec<String>);

/// What the values of one dtype at one alignment look like.
#[derive(Clone, Debug, Default)]
struct Measure {
    /// Fraction of valid values (floats: finite, normal, not absurd).
    valid: f64,
    /// 1 - (mean error of predicting each value from the two before it /
    /// mean deviation from the mean), per channel, averaged: 0 for noise,
    /// near 1 for smooth signals and tones.
    smooth: f64,
    /// The same, of the channel that fits worse (of the one channel of a
    /// real reading).
    smooth_least: f64,
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
    /// Interleaved channels in `values`, and how alike a channel apart
    /// ([`channels`]).
    channels: Option<(usize, f64)>,
    lo: f64,
    hi: f64,
    /// Channel 0: mean |error| of that prediction, and mean |deviation|.
    near_abs: f64,
    far_abs: f64,
    /// Channel 0: the 99.5th percentile of |difference| of neighbours.
    step_q: f64,
    /// Floats: the median of log10 |x| over non-zero values.
    log_median: f64,
    /// Channel 0: the predictor's coefficients (see [`predictor`]),
    /// averaged over the runs.
    ar: (f64, f64),
    /// Floats: how far from uniform the top four mantissa bits are within
    /// each exponent (bits of information, see [`mantissa_information`]).
    mantissa_info: f64,
}

/// The coefficients of the least-squares prediction of each value from
/// the two before it, about the run's mean `m`:
/// `x[k] - m ≈ a1·(x[k-1] - m) + a2·(x[k-2] - m)`, as `(a1, a2, m)`; the
/// last value (1, 0) when the run is too short or flat to fit.
fn predictor(v: &[f64]) -> (f64, f64, f64) {
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
fn smoothness(v: &[f64]) -> f64 {
    let (err, dev) = prediction_error(v, predictor(v));
    explained(err, dev)
}

/// The summed |error| of predicting `v[k]` (k ≥ 2) by the predictor
/// `(a1, a2, m)`, and the summed |deviation| of the same values from `m`
/// (the error of predicting every value by the mean).
fn prediction_error(v: &[f64], (a1, a2, m): (f64, f64, f64)) -> (f64, f64) {
    let (mut err, mut dev) = (0.0, 0.0);
    for w in v.windows(3) {
        err += (w[2] - m - a1 * (w[1] - m) - a2 * (w[0] - m)).abs();
        dev += (w[2] - m).abs();
    }
    (err, dev)
}

/// The share of the deviation that a predictor explains, `1 - err/dev`
/// in 0..=1; 0 when there is no deviation.
fn explained(err: f64, dev: f64) -> f64 {
    if dev > 0.0 {
        (1.0 - err / dev).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The shifts (in elements) at which Q is paired with a later or an
/// earlier value to see whether the true pairing is the most one-sided.
const SHIFTS: [isize; 21] = [
    0, 1, -1, 2, -2, 3, -3, 5, -5, 8, -8, 13, -13, 21, -21, 34, -34, 55, -55, 89, -89,
];
/// The largest shift: Q runs start this many values before their I run.
const REACH: usize = 89;

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
struct Sided {
    /// One-sidedness at the true pairing, 0..1.
    at_pairing: f64,
    /// The largest one-sidedness at another pairing.
    shifted: f64,
    /// How far pairing with the value before fails to mirror the spectrum:
    /// about 0 for neighbours of one real channel, about 1 and more for
    /// I/Q.
    unmirrored: f64,
}

impl Sided {
    /// One-sided as I/Q samples are, and most at the true pairing.
    fn as_iq(&self, least: f64) -> bool {
        self.at_pairing >= least && self.at_pairing + 0.02 >= self.shifted
    }
}

fn one_sidedness(runs: &[(Vec<f64>, Vec<f64>)]) -> Option<Sided> {
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
fn interleaved_iq(t: &Ty, s: &Sample, phase: usize) -> bool {
    one_sidedness(&interleaved_runs(t, s, phase))
        .is_some_and(|v| v.at_pairing >= 0.7 && v.unmirrored >= 0.3)
}

/// The evidence line of a header of `at` bytes.
fn header_evidence(at: u64) -> String {
    format!("the first {at} bytes do not fit the rest (a header?)")
}

/// Runs of (I, Q) for complex samples stored as two planes of dtype `t`:
/// each value of the first half (after `offset`) and the value half the
/// data on. Empty when the data does not split into two planes.
fn planar_runs(t: &Ty, s: &Sample, offset: u64) -> Vec<(Vec<f64>, Vec<f64>)> {
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
fn interleaved_runs(t: &Ty, s: &Sample, phase: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
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

/// [`measure`] of every reading, on every core (the pool's threads run
/// under the caller's control, so Ctrl-C stops them and a fault reading
/// the mapping is caught as in any computation), in the order given.
fn measure_all(
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
fn mantissa_information(octaves: &[[u32; 16]]) -> f64 {
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

/// A partner for element `k` of `n` at a lag that varies from element to
/// element: the pair is as unrelated as two values drawn at random. A
/// fixed lag is not (a tone can be almost in phase again after it).
fn distant(k: usize, n: usize) -> usize {
    (k.wrapping_mul(40_503).wrapping_add(n / 2)) % n
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
                            let b = half::f16::from_f64(*x).to_bits() as u32;
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
fn lag_difference(values: &[impl AsRef<[f64]>], lag: usize) -> Option<f64> {
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
fn oscillates(cost: &dyn Fn(usize) -> Option<f64>) -> bool {
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
fn channels(values: &[Vec<f64>]) -> Option<(usize, f64)> {
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
struct Columns {
    surprise: Vec<[f32; 256]>,
    entropy: Vec<f64>,
}

fn columns(body: &[(u64, &[u8])], period: usize) -> Columns {
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
    fn odds(&self, at: usize, bytes: &[u8]) -> f64 {
        let p = self.entropy.len();
        self.bits(at, bytes)
            + (0..bytes.len())
                .map(|j| self.entropy[(at + j) % p] - 8.0)
                .sum::<f64>()
    }

    fn bits(&self, at: usize, bytes: &[u8]) -> f64 {
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
fn header_end(
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
fn snap_down(head: &[u8], o: usize, pad_end: usize, aligned: &dyn Fn(usize) -> bool) -> usize {
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
fn record_header_end(head: &[u8], body: &[(u64, &[u8])], period: usize, first: usize) -> usize {
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

/// Whether neighbours in the body are far more alike than distant values.
fn smooth_body(m: &Measure) -> bool {
    m.far_abs > 0.0 && m.near_abs < 0.5 * m.far_abs
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

/// Whether every stretch of 1024 sampled values spans most of the range
/// of all of them (noise, tones), unlike a drift or a field, whose start
/// may lie beyond every value sampled further on.
fn stationary(m: &Measure) -> bool {
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
fn value_misfit<'a>(
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

/// The end of leading text and the padding after it (0 without text).
fn text_header_end(head: &[u8]) -> usize {
    let lines = head
        .iter()
        .take_while(|&&c| matches!(c, b'\n' | b'\r' | b'\t' | 0x20..=0x7e))
        .count();
    // The text ends with its last line: bytes after it that happen to be
    // printable may be the data's (a float starting with `?` or `E`).
    let Some(last) = head[..lines].iter().rposition(|&c| c == b'\n') else {
        return 0;
    };
    if lines < 16 {
        return 0;
    }
    let pad = head[last + 1..]
        .iter()
        .take_while(|&&c| c == 0 || c == b' ')
        .count();
    last + 1 + pad
}

/// What a file is when its bytes say so before any layout is tried: a
/// format by its magic bytes, or text (the head and every sampled chunk
/// of the body read as text).
pub fn recognise(head: &[u8], body: &[&[u8]]) -> Option<Finding> {
    if let Some(f) = sniff(head) {
        return Some(f);
    }
    if is_text(head) && body.iter().all(|b| is_text(&b[..b.len().min(4096)])) {
        return Some(Finding::Text {
            hint: "numbers written as text load with np.loadtxt, not as raw bytes".into(),
        });
    }
    None
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
