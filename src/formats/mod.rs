//! The file formats and naming conventions users' files come with: what
//! their extensions imply, and the headers and sidecar files that describe
//! raw data (SigMF and its archives, ENVI, ESRI EHdr, GDAL VRT, `.npz`
//! members). Each turns what it reads into a [`Described`] layout that
//! `open` lays over the data file as usual. Nothing here touches a
//! mapping: descriptions are small text files read whole; `.npz` and
//! SigMF archive members are located through the zip directory or the tar
//! headers.

pub mod dask;
pub mod ehdr;
pub mod envi;
pub mod export;
pub mod npz;
pub mod sigmf;
pub mod vrt;

use crate::dtype::Dtype;
use std::path::{Path, PathBuf};

/// A layout read from a file's description.
#[derive(Clone, Debug)]
pub struct Described {
    /// "SigMF", "ENVI", "GDAL VRT".
    pub format: &'static str,
    /// The file the description was read from.
    pub described_by: PathBuf,
    /// The data file to map.
    pub data: PathBuf,
    pub dtype: Dtype,
    /// `None`: 1-D over the rest of the file; a -1 is inferred.
    pub shape: Option<Vec<i128>>,
    pub offset: u64,
    /// Byte strides when the layout is not C-contiguous (VRT).
    pub strides: Option<Vec<isize>>,
    /// Where the samples lie when headers interrupt them (SigMF captures
    /// with their own `core:header_bytes`): byte ranges `(start, len)` of
    /// the data file, in order, read as one array (a dataset of one file).
    pub segments: Option<Vec<(u64, u64)>>,
    /// Names of the axes, outermost first.
    pub axes: Vec<String>,
    /// Other facts worth showing with `info`.
    pub facts: crate::report::Fields,
}

/// Why a description could not be used: the reason and a hint.
pub type Failure = (String, Option<String>);

/// The description `path` comes with, if any: `x.sigmf-meta` or
/// `x.sigmf-data` (SigMF), `x.sigmf` (a SigMF archive), `x.vrt` (GDAL),
/// `x.hdr` or a data file with an ENVI or ESRI (GDAL EHdr) header beside
/// it (`x.hdr` or `x.dat.hdr`).
pub fn describe(path: &Path) -> Result<Option<Described>, Failure> {
    let name = path.to_string_lossy();
    if name.ends_with(".sigmf-meta") || name.ends_with(".sigmf-data") {
        return sigmf::describe(path).map(Some);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("sigmf") => return sigmf::describe_archive(path).map(Some),
        Some("vrt") => return vrt::describe(path).map(Some),
        Some("hdr") => return envi::describe_header(path).map(Some),
        _ => {}
    }
    match envi::header_beside(path) {
        Some(h) => envi::describe_either(&h, path).map(Some),
        None => Ok(None),
    }
}

/// Reads a small text file (a header or metadata), refusing big ones.
fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    const MAX: u64 = 16 << 20;
    let len = std::fs::metadata(path)
        .map_err(|e| {
            (
                format!("cannot read the {what} {}: {e}", path.display()),
                None,
            )
        })?
        .len();
    if len > MAX {
        return Err((
            format!(
                "the {what} {} is {len} bytes; more than 16 MiB is not a header",
                path.display()
            ),
            None,
        ));
    }
    std::fs::read_to_string(path).map_err(|e| {
        (
            format!("cannot read the {what} {}: {e}", path.display()),
            None,
        )
    })
}

/// The dtype an SDR file's extension implies, as inspectrum reads them:
/// the extension, the SDR type name, and the dtype. `.c8`, `.c16` and
/// `.c32` are left out: in NumPy's naming `c8` is complex64, and strided
/// follows NumPy.
pub fn extension_dtype(path: &Path) -> Option<(String, &'static str, Dtype)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let name = match ext.as_str() {
        "cfile" | "cf32" | "fc32" => "cf32",
        "cf64" | "fc64" => "cf64",
        "cs32" | "sc32" => "ci32",
        "cs16" | "sc16" => "ci16",
        "cs8" | "sc8" => "ci8",
        "cu8" | "uc8" => "cu8",
        "f32" => "rf32",
        "f64" => "rf64",
        "s16" => "ri16",
        "s8" => "ri8",
        "u8" => "ru8",
        _ => return None,
    };
    Some((
        ext,
        name,
        Dtype::sdr_alias(name).expect("the names above are aliases"),
    ))
}
