//! ESRI `.hdr` headers (GDAL's EHdr driver): `image.bil`, `.bip` or `.bsq`
//! with `image.hdr` beside it, whose lines are `KEY value` pairs: `NROWS`,
//! `NCOLS`, `NBANDS`, `NBITS`, `PIXELTYPE`, `BYTEORDER`, `LAYOUT`,
//! `SKIPBYTES`, `BANDROWBYTES`, `TOTALROWBYTES`, `BANDGAPBYTES`. The view
//! follows the file's own order, as for ENVI: BIL (rows, bands, columns),
//! BIP (rows, columns, bands), BSQ (bands, rows, columns). Defaults are
//! GDAL's: big-endian without `BYTEORDER`, unsigned without `PIXELTYPE`
//! (float for a `.flt` file or 4 bytes a pixel, signed with a negative
//! `NODATA`), `NBITS` from the file's size when absent. Row padding and
//! band gaps (`BANDROWBYTES`, `TOTALROWBYTES`, `BANDGAPBYTES` larger than
//! the data) become strides as ESRI defines them; GDAL 3.10 ignores those
//! three keys, so it reads such files differently.

use super::{read_text, Described, Failure};
use crate::dtype::{ByteOrder, Dtype, Kind, Scalar};
use crate::report::Field;
use std::collections::BTreeMap;
use std::path::Path;

/// The keys of an ESRI header, upper-cased, with their values.
fn fields(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let key = parts.next()?.to_ascii_uppercase();
            let value = parts.collect::<Vec<_>>().join(" ");
            Some((key, value))
        })
        .collect()
}

/// Whether `text` is an ESRI header: it has `NROWS` and `NCOLS`.
pub fn is_ehdr(text: &str) -> bool {
    let f = fields(text);
    f.contains_key("NROWS") && f.contains_key("NCOLS")
}

pub fn describe(header: &Path, data: &Path) -> Result<Described, Failure> {
    let text = read_text(header, "ESRI header")?;
    let f = fields(&text);
    let bad = |what: &str| {
        (
            format!("the ESRI header {} {what}", header.display()),
            Some("it needs NROWS and NCOLS; NBANDS, NBITS, PIXELTYPE, BYTEORDER and LAYOUT have defaults".into()),
        )
    };
    let int = |key: &str, default: Option<u64>| -> Result<u64, Failure> {
        match (f.get(key), default) {
            (Some(v), _) => v
                .parse::<u64>()
                .map_err(|_| bad(&format!("has a {key} that is not a whole number"))),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(bad(&format!("has no {key}"))),
        }
    };
    let (rows, cols) = (int("NROWS", None)?, int("NCOLS", None)?);
    let bands = int("NBANDS", Some(1))?;
    // GDAL's guesses where the header is silent: bits from the file's
    // size per pixel, float for 4 bytes a pixel or a `.flt` file, signed
    // with a negative nodata value.
    let per_pixel = std::fs::metadata(data)
        .ok()
        .and_then(|m| m.len().checked_div(rows * cols * bands));
    let flt = data
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("flt"));
    let negative_nodata = f
        .get("NODATA")
        .or_else(|| f.get("NODATA_VALUE"))
        .and_then(|v| v.parse::<f64>().ok())
        .is_some_and(|v| v < 0.0);
    let mut pixel = f.get("PIXELTYPE").map(|s| s.to_ascii_uppercase());
    let bits = match f.get("NBITS") {
        Some(_) => int("NBITS", None)?,
        None if pixel.is_none() && matches!(per_pixel, Some(1 | 2 | 4 | 8)) => {
            if per_pixel == Some(4) {
                pixel = Some("FLOAT".into());
            }
            8 * per_pixel.unwrap_or(1)
        }
        None if pixel.as_deref().is_some_and(|p| p.starts_with('F')) || flt => 32,
        None => 8,
    };
    let pixel = match pixel {
        Some(p) => p,
        None if flt => "FLOAT".into(),
        None if negative_nodata => "SIGNEDINT".into(),
        None => "UNSIGNEDINT".into(),
    };
    // GDAL reads the first letter only.
    let pixel = match pixel.chars().next() {
        Some('F') => "FLOAT".to_string(),
        Some('S') => "SIGNEDINT".to_string(),
        _ => "UNSIGNEDINT".to_string(),
    };
    let (kind, size) = match (pixel.as_str(), bits) {
        // What GDAL's EHdr driver reads, but packed 1- and 4-bit pixels.
        ("FLOAT", 32) => (Kind::Float, 4),
        ("SIGNEDINT", 8 | 16 | 32) => (Kind::Int, bits as usize / 8),
        ("UNSIGNEDINT", 8 | 16 | 32) => (Kind::UInt, bits as usize / 8),
        _ => {
            return Err(bad(&format!(
                "has PIXELTYPE {pixel} with NBITS {bits}, which strided does not read (GDAL's EHdr has no 64-bit pixels; 1- and 4-bit ones are packed)"
            )))
        }
    };
    // GDAL: `I` (Intel) or `L` (LSBFIRST) first is little-endian, anything
    // else (`M`, `MSBFIRST`, or no BYTEORDER at all) big-endian.
    let order = match f
        .get("BYTEORDER")
        .and_then(|s| s.chars().next())
        .map(|c| c.to_ascii_uppercase())
    {
        Some('I' | 'L') => ByteOrder::Little,
        _ => ByteOrder::Big,
    };
    let order = if size == 1 { ByteOrder::NATIVE } else { order };
    let layout = f
        .get("LAYOUT")
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_else(|| "BIL".into());
    let item = size as u64;
    let offset = int("SKIPBYTES", Some(0))?;
    // Rows of one band, and whole rows of every band, in bytes: the
    // header may pad them.
    let per_band_row = if layout == "BIP" {
        cols * bands * item
    } else {
        cols * item
    };
    let band_row = int("BANDROWBYTES", Some(per_band_row))?;
    let natural_total = match layout.as_str() {
        "BIL" => band_row * bands,
        _ => band_row,
    };
    let total_row = int("TOTALROWBYTES", Some(natural_total))?;
    let band_gap = int("BANDGAPBYTES", Some(0))?;
    let too_small = || bad("has rows shorter than their pixels (BANDROWBYTES or TOTALROWBYTES)");
    let (shape, strides, axes): (Vec<u64>, Vec<u64>, [&str; 3]) = match layout.as_str() {
        "BIL" => {
            if band_row < cols * item || total_row < bands * band_row {
                return Err(too_small());
            }
            (
                vec![rows, bands, cols],
                vec![total_row, band_row, item],
                ["row", "band", "column"],
            )
        }
        "BIP" => {
            if total_row < cols * bands * item {
                return Err(too_small());
            }
            (
                vec![rows, cols, bands],
                vec![total_row, bands * item, item],
                ["row", "column", "band"],
            )
        }
        "BSQ" => {
            if band_row < cols * item {
                return Err(too_small());
            }
            (
                vec![bands, rows, cols],
                vec![rows * band_row + band_gap, band_row, item],
                ["band", "row", "column"],
            )
        }
        other => return Err(bad(&format!("has LAYOUT {other} (BIL, BIP or BSQ)"))),
    };
    // C-contiguous strides need no strided view (and then a -1 or the
    // file's length play no part).
    let contiguous = strides[2] == item
        && strides[1] == shape[2] * item
        && strides[0] == shape[1] * shape[2] * item;
    let to_isize = |v: &[u64]| -> Result<Vec<isize>, Failure> {
        v.iter()
            .map(|&s| isize::try_from(s).map_err(|_| bad("has sizes too large to address")))
            .collect()
    };
    let mut facts = vec![
        ("ESRI PIXELTYPE".to_string(), Field::Str(pixel.clone())),
        ("NBITS".to_string(), Field::Int(bits as i128)),
        ("layout".to_string(), Field::Str(layout.clone())),
    ];
    for key in [
        "ULXMAP",
        "ULYMAP",
        "XLLCORNER",
        "YLLCORNER",
        "XDIM",
        "YDIM",
        "CELLSIZE",
        "NODATA",
        "NODATA_VALUE",
    ] {
        if let Some(v) = f.get(key) {
            facts.push((key.to_string(), Field::Str(v.clone())));
        }
    }
    Ok(Described {
        format: "ESRI EHdr",
        described_by: header.to_path_buf(),
        data: data.to_path_buf(),
        dtype: Dtype::Scalar(Scalar::new(kind, size, order)),
        shape: Some(shape.iter().map(|&n| i128::from(n)).collect()),
        offset,
        strides: if contiguous {
            None
        } else {
            Some(to_isize(&strides)?)
        },
        axes: axes.iter().map(|a| a.to_string()).collect(),
        segments: None,
        facts,
    })
}
