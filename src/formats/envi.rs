//! ENVI raster files: `image.dat` with `image.hdr` (or `image.dat.hdr`)
//! beside it. The header's samples, lines, bands, header offset, data type
//! code, interleave and byte order give a C-contiguous view whose axes
//! follow the file's own order: BSQ (bands, lines, samples), BIL (lines,
//! bands, samples), BIP (lines, samples, bands).

use super::{read_text, Described, Failure};
use crate::dtype::{ByteOrder, Dtype, Kind, Scalar};
use crate::report::Field;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions of the data file next to a header, tried in order.
const DATA_EXTENSIONS: &[&str] = &["", "dat", "img", "raw", "bin", "bsq", "bil", "bip", "flt"];

/// The ENVI or ESRI header beside a data file, if there is one.
pub fn header_beside(data: &Path) -> Option<PathBuf> {
    let with_ext = PathBuf::from(format!("{}.hdr", data.display()));
    let replaced = data.with_extension("hdr");
    [replaced, with_ext]
        .into_iter()
        .find(|h| h != data && (is_envi(h) || is_esri(h)))
}

/// Whether `path` is a small text file with ESRI's `NROWS` and `NCOLS`.
fn is_esri(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() < 1 << 16)
        && std::fs::read_to_string(path).is_ok_and(|t| super::ehdr::is_ehdr(&t))
}

/// The layout a header beside `data` gives: ENVI's when it starts with
/// `ENVI`, else ESRI's (GDAL's EHdr).
pub fn describe_either(header: &Path, data: &Path) -> Result<Described, Failure> {
    if is_envi(header) {
        describe(header, data)
    } else if is_esri(header) {
        super::ehdr::describe(header, data)
    } else {
        Err((
            format!(
                "{} is neither an ENVI header (it starts with ENVI) nor an ESRI one (NROWS, NCOLS, ...)",
                header.display()
            ),
            None,
        ))
    }
}

/// Whether `path` is a file starting with `ENVI` (only those bytes read).
fn is_envi(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"ENVI")
}

/// `open image.hdr` (ENVI or ESRI): the data file is the header's stem
/// with one of the usual extensions.
pub fn describe_header(header: &Path) -> Result<Described, Failure> {
    let stem = header.with_extension("");
    let data = DATA_EXTENSIONS
        .iter()
        .map(|e| {
            if e.is_empty() {
                stem.clone()
            } else {
                stem.with_extension(e)
            }
        })
        .find(|p| p.is_file())
        .ok_or_else(|| {
            (
                format!("no data file beside the header {}", header.display()),
                Some(format!(
                    "open the data file itself; tried {} with the extensions {}",
                    stem.display(),
                    DATA_EXTENSIONS[1..].join(", ")
                )),
            )
        })?;
    describe_either(header, &data)
}

/// Parses `key = value` lines; values in braces may span lines.
fn fields(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines().skip(1);
    while let Some(line) = lines.next() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let mut v = v.trim().to_string();
        if v.starts_with('{') {
            // Look for the closing brace in each new line only: rescanning
            // the whole value made an unclosed `{` quadratic.
            let mut closed = v.contains('}');
            while !closed {
                match lines.next() {
                    Some(more) => {
                        closed = more.contains('}');
                        v.push(' ');
                        v.push_str(more.trim());
                    }
                    None => break,
                }
            }
            v = v
                .trim_start_matches('{')
                .trim_end_matches('}')
                .trim()
                .to_string();
        }
        out.insert(k.trim().to_ascii_lowercase(), v);
    }
    out
}

pub fn describe(header: &Path, data: &Path) -> Result<Described, Failure> {
    let text = read_text(header, "ENVI header")?;
    if !text.starts_with("ENVI") {
        return Err((
            format!(
                "{} is not an ENVI header (it must start with ENVI)",
                header.display()
            ),
            None,
        ));
    }
    let f = fields(&text);
    let bad = |what: &str| {
        (
            format!("the ENVI header {} {what}", header.display()),
            Some("it needs samples, lines, bands, data type and interleave".into()),
        )
    };
    let int = |key: &str| -> Result<u64, Failure> {
        f.get(key)
            .ok_or_else(|| bad(&format!("has no `{key}`")))?
            .parse::<u64>()
            .map_err(|_| bad(&format!("has a `{key}` that is not a whole number")))
    };
    let (samples, lines) = (int("samples")?, int("lines")?);
    let bands = if f.contains_key("bands") {
        int("bands")?
    } else {
        1
    };
    let offset = if f.contains_key("header offset") {
        int("header offset")?
    } else {
        0
    };
    let order = match f.get("byte order").map(String::as_str) {
        None | Some("0") => ByteOrder::Little,
        Some("1") => ByteOrder::Big,
        Some(other) => return Err(bad(&format!("has byte order {other} (0 or 1)"))),
    };
    let code = int("data type")?;
    let (kind, size) = match code {
        1 => (Kind::UInt, 1),
        2 => (Kind::Int, 2),
        3 => (Kind::Int, 4),
        4 => (Kind::Float, 4),
        5 => (Kind::Float, 8),
        6 => (Kind::Complex, 8),
        9 => (Kind::Complex, 16),
        12 => (Kind::UInt, 2),
        13 => (Kind::UInt, 4),
        14 => (Kind::Int, 8),
        15 => (Kind::UInt, 8),
        other => {
            return Err(bad(&format!(
                "has data type {other}, which strided does not read"
            )))
        }
    };
    let order = if size == 1 { ByteOrder::NATIVE } else { order };
    let interleave = f
        .get("interleave")
        .map_or("bsq".to_string(), |s| s.to_ascii_lowercase());
    let dims = |v: &[(u64, &str)]| -> (Vec<i128>, Vec<String>) {
        (
            v.iter().map(|d| d.0 as i128).collect(),
            v.iter().map(|d| d.1.to_string()).collect(),
        )
    };
    let (shape, axes) = match interleave.as_str() {
        "bsq" => dims(&[(bands, "band"), (lines, "line"), (samples, "sample")]),
        "bil" => dims(&[(lines, "line"), (bands, "band"), (samples, "sample")]),
        "bip" => dims(&[(lines, "line"), (samples, "sample"), (bands, "band")]),
        other => return Err(bad(&format!("has interleave `{other}` (bsq, bil or bip)"))),
    };
    let mut facts = vec![
        ("ENVI data type".to_string(), Field::Int(code as i128)),
        ("interleave".to_string(), Field::Str(interleave.clone())),
    ];
    for key in [
        "description",
        "band names",
        "wavelength units",
        "wavelength",
        "map info",
        "sensor type",
    ] {
        if let Some(v) = f.get(key) {
            let v = if v.len() > 200 {
                format!(
                    "{}...",
                    &v[..v.char_indices().nth(200).map_or(v.len(), |c| c.0)]
                )
            } else {
                v.clone()
            };
            facts.push((key.to_string(), Field::Str(v)));
        }
    }
    Ok(Described {
        format: "ENVI",
        described_by: header.to_path_buf(),
        data: data.to_path_buf(),
        dtype: Dtype::Scalar(Scalar::new(kind, size, order)),
        shape: Some(shape),
        offset,
        strides: None,
        segments: None,
        axes,
        facts,
    })
}

/// The ENVI data type code of a scalar dtype.
pub fn type_code(s: Scalar) -> Option<u8> {
    Some(match (s.kind, s.size) {
        (Kind::UInt, 1) => 1,
        (Kind::Int, 2) => 2,
        (Kind::Int, 4) => 3,
        (Kind::Float, 4) => 4,
        (Kind::Float, 8) => 5,
        (Kind::Complex, 8) => 6,
        (Kind::Complex, 16) => 9,
        (Kind::UInt, 2) => 12,
        (Kind::UInt, 4) => 13,
        (Kind::Int, 8) => 14,
        (Kind::UInt, 8) => 15,
        _ => return None,
    })
}
