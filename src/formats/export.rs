//! `export NAME vrt|envi|numpy`: the layout of a view written in the
//! language of another tool — a GDAL VRT of raw bands, an ENVI header, or
//! the NumPy code that builds the same view — so that one layout moves
//! between the tools users already have. Pure text; `eval` prints it or
//! writes it to a file.

use super::{envi, vrt};
use crate::dtype::{ByteOrder, Dtype};
use crate::view::View;
use std::path::{Path, PathBuf};

/// The formats `export` writes.
pub const FORMATS: &[&str] = &["vrt", "envi", "numpy"];

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn order_of(d: &Dtype) -> ByteOrder {
    let s = d.complex_int_part().or_else(|| d.as_scalar());
    s.map_or(ByteOrder::Little, |s| s.order)
}

/// The absolute path of the view's file, for descriptions that may be read
/// from elsewhere.
fn data_path(v: &View) -> String {
    std::fs::canonicalize(&v.source.path)
        .unwrap_or_else(|_| v.source.path.clone())
        .display()
        .to_string()
}

/// The view's file relative to the folder of `description` (the file
/// being written), so that the two can move together: `data.bin`,
/// `../raw/data.bin`. `None` when either path cannot be resolved.
fn relative_data_path(v: &View, description: &Path) -> Option<String> {
    let data = std::fs::canonicalize(&v.source.path).ok()?;
    let folder = match description.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let folder = std::fs::canonicalize(folder).ok()?;
    let common = data
        .components()
        .zip(folder.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel = PathBuf::new();
    for _ in folder.components().skip(common) {
        rel.push("..");
    }
    for c in data.components().skip(common) {
        rel.push(c);
    }
    Some(rel.display().to_string())
}

/// Which axis of a 3-D view holds the bands: the one its description
/// named `band` (ENVI's BIL and BIP, EHdr), else the first.
fn band_axis(v: &View, axes: &[String]) -> usize {
    if axes.len() == v.ndim() {
        axes.iter().position(|a| a == "band").unwrap_or(0)
    } else {
        0
    }
}

/// A GDAL VRT describing `v` (1-D, 2-D, or 3-D as bands: the axis its
/// description names `band`, else the first). Written to `to`, the data
/// file is named relative to it.
pub fn to_vrt(v: &View, axes: &[String], to: Option<&Path>) -> Result<String, String> {
    let gdal = vrt::gdal_name(&v.dtype).ok_or_else(|| {
        format!("GDAL has no data type for {}; VRT takes real and complex numbers and complex int16/int32", v.dtype.short())
    })?;
    let (bands, ysize, xsize, band_step, line, pixel) = match (&v.shape[..], &v.strides[..]) {
        ([n], [s]) => (1, 1, *n, 0, *s * *n as isize, *s),
        ([y, x], [sy, sx]) => (1, *y, *x, 0, *sy, *sx),
        ([_, _, _], [_, _, _]) => {
            // Bands first, the other two in their order (lines, pixels).
            let b = band_axis(v, axes);
            let rest: Vec<usize> = (0..3).filter(|&k| k != b).collect();
            let (s, t) = (&v.shape, &v.strides);
            (s[b], s[rest[0]], s[rest[1]], t[b], t[rest[0]], t[rest[1]])
        }
        _ => {
            return Err(format!(
                "a VRT holds 1-D to 3-D views (bands, lines, pixels); this one is {}-D",
                v.ndim()
            ))
        }
    };
    if pixel < 0 {
        // Found by reading our VRTs with GDAL 3.10: a negative LineOffset
        // is read, a negative PixelOffset is refused.
        return Err("GDAL reads no VRT with a negative PixelOffset: this view runs backwards along its last axis; export it without that reversal and flip it after reading".into());
    }
    let order = if v.dtype.itemsize() == 1 || order_of(&v.dtype) == ByteOrder::Little {
        "LSB"
    } else {
        "MSB"
    };
    let (path, relative) = match to.and_then(|to| relative_data_path(v, to)) {
        Some(rel) => (rel, 1),
        None => (data_path(v), 0),
    };
    let path = xml_escape(&path);
    let mut out = format!("<VRTDataset rasterXSize=\"{xsize}\" rasterYSize=\"{ysize}\">\n");
    for b in 0..bands {
        let image = v.offset as i128 + b as i128 * band_step as i128;
        out.push_str(&format!(
            "  <VRTRasterBand dataType=\"{gdal}\" band=\"{}\" subClass=\"VRTRawRasterBand\">\n    <SourceFilename relativeToVRT=\"{relative}\">{path}</SourceFilename>\n    <ImageOffset>{image}</ImageOffset>\n    <PixelOffset>{pixel}</PixelOffset>\n    <LineOffset>{line}</LineOffset>\n    <ByteOrder>{order}</ByteOrder>\n  </VRTRasterBand>\n",
            b + 1
        ));
    }
    out.push_str("</VRTDataset>\n");
    Ok(out)
}

/// An ENVI header describing `v`, which must be C-contiguous: 2-D as
/// (lines, samples), 3-D by where its band axis is (see [`band_axis`]):
/// BSQ (bands, lines, samples), BIL (lines, bands, samples) or BIP
/// (lines, samples, bands).
pub fn to_envi(v: &View, axes: &[String]) -> Result<String, String> {
    let s = v
        .dtype
        .as_scalar()
        .ok_or_else(|| format!("ENVI has no data type for records ({})", v.dtype.short()))?;
    let code =
        envi::type_code(s).ok_or_else(|| format!("ENVI has no data type for {}", s.descr()))?;
    if !v.is_c_contiguous() {
        return Err("ENVI describes contiguous data only (BSQ, BIL, BIP); this view is strided: `export NAME vrt` can describe it".into());
    }
    let (bands, lines, samples, interleave) = match v.shape[..] {
        [n] => (1, 1, n, "bsq"),
        [l, n] => (1, l, n, "bsq"),
        [x, y, z] => match band_axis(v, axes) {
            1 => (y, x, z, "bil"),
            2 => (z, x, y, "bip"),
            _ => (x, y, z, "bsq"),
        },
        _ => {
            return Err(format!(
                "an ENVI file holds 1-D to 3-D data; this view is {}-D",
                v.ndim()
            ))
        }
    };
    let order = u8::from(s.size > 1 && s.order == ByteOrder::Big);
    Ok(format!(
        "ENVI\ndescription = {{written by strided for {}}}\nsamples = {samples}\nlines = {lines}\nbands = {bands}\nheader offset = {}\nfile type = ENVI Standard\ndata type = {code}\ninterleave = {interleave}\nbyte order = {order}\n",
        v.source.display(),
        v.offset
    ))
}

/// NumPy code that builds the same view.
pub fn to_numpy(name: &str, v: &View) -> String {
    let path = data_path(v).replace('\\', "\\\\").replace('\'', "\\'");
    let tuple = |xs: Vec<String>| match xs.len() {
        1 => format!("({},)", xs[0]),
        _ => format!("({})", xs.join(", ")),
    };
    format!(
        "import numpy as np\n{name} = np.ndarray(shape={}, dtype={}, buffer=np.memmap('{path}', dtype=np.uint8, mode='r'), offset={}, strides={})\n",
        tuple(v.shape.iter().map(|n| n.to_string()).collect()),
        v.dtype.descr(),
        v.offset,
        tuple(v.strides.iter().map(|n| n.to_string()).collect())
    )
}
