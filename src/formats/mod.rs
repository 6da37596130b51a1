//! The file formats and naming conventions users' files come with: what
//! their extensions imply, and (in submodules) the headers and sidecar
//! files that describe raw data. Each turns what it reads into a layout
//! (dtype, shape, offset, order) that `open` lays over the file as usual.

use crate::dtype::Dtype;
use std::path::Path;

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
