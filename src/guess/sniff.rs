//! Formats and text: the magic bytes of formats strided reads or knows,
//! and printable text, which stop the guess with what to do instead.

use super::Finding;

/// The magic bytes of formats, and what to say.
pub(super) fn sniff(head: &[u8]) -> Option<Finding> {
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
pub(super) fn is_text(b: &[u8]) -> bool {
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

/// The end of leading text and the padding after it (0 without text).
pub(super) fn text_header_end(head: &[u8]) -> usize {
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
