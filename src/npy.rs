//! NumPy's `.npy` format: reading a header (so `open x.npy` needs no shape
//! or dtype) and writing one (so `save EXPR x.npy` loads in `np.load`).
//! Format: `\x93NUMPY`, version, header length, then a Python dict literal
//! `{'descr': ..., 'fortran_order': ..., 'shape': ...}` padded to 64 bytes.

use crate::dtype::Dtype;
use crate::syntax::{parse_py_literal, LitKind};
use crate::text::shape_repr;
use crate::view::Order;

const MAGIC: &[u8] = b"\x93NUMPY";

/// What a `.npy` header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub order: Order,
    /// Where the data starts, in bytes from the start of the file.
    pub data_offset: usize,
}

pub use crate::view::MAX_DIMS;
/// The longest header strided reads (NumPy reads 10,000 bytes unless told
/// otherwise; records of many fields need more).
pub const MAX_HEADER: usize = 1 << 20;

/// Whether `bytes` start like a `.npy` file.
pub fn is_npy(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Reads the header at the start of `bytes`; the error says what is wrong.
pub fn read_header(bytes: &[u8]) -> Result<Header, String> {
    if !is_npy(bytes) {
        return Err("it does not start with \\x93NUMPY".into());
    }
    let major = *bytes.get(6).ok_or("the header is cut short")?;
    let (len, start) = match major {
        1 => (
            u16::from_le_bytes([
                *bytes.get(8).ok_or("cut short")?,
                *bytes.get(9).ok_or("cut short")?,
            ]) as usize,
            10usize,
        ),
        2 | 3 => {
            let b = bytes.get(8..12).ok_or("the header is cut short")?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        v => return Err(format!("unknown format version {v}")),
    };
    if len > MAX_HEADER {
        return Err(format!(
            "its header is {len} bytes long; strided reads headers of at most {MAX_HEADER} bytes"
        ));
    }
    let end = start.checked_add(len).ok_or("header length overflows")?;
    let raw = bytes
        .get(start..end)
        .ok_or("the header is longer than the file")?;
    // Versions 1 and 2 hold latin-1 text, version 3 UTF-8 (NumPy's rule).
    let text: String = if major == 3 {
        std::str::from_utf8(raw)
            .map_err(|_| "a version 3 header that is not UTF-8")?
            .to_string()
    } else {
        raw.iter().map(|&b| b as char).collect()
    };
    let lit = parse_py_literal(&text)
        .map_err(|e| format!("header is not a Python literal ({})", e.kind))?;
    let LitKind::Dict(entries) = &lit.kind else {
        return Err("header is not a dict".into());
    };
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| matches!(&key.kind, LitKind::Str(s) if s == k))
            .map(|(_, v)| v)
    };
    let descr = get("descr").ok_or("header has no 'descr'")?;
    let dtype = Dtype::from_lit(descr).map_err(|e| format!("bad 'descr': {}", e.kind))?;
    let order = match get("fortran_order").map(|v| &v.kind) {
        Some(LitKind::Bool(true)) => Order::F,
        Some(LitKind::Bool(false)) => Order::C,
        _ => return Err("header has no 'fortran_order'".into()),
    };
    let shape = match get("shape").map(|v| &v.kind) {
        Some(LitKind::Tuple(items)) => items
            .iter()
            .map(|i| match i.kind {
                LitKind::Int(n) => {
                    usize::try_from(n).map_err(|_| "negative dimension in 'shape'".to_string())
                }
                _ => Err("'shape' holds a non-integer".to_string()),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(LitKind::Int(n)) => vec![usize::try_from(*n).map_err(|_| "negative 'shape'")?],
        _ => return Err("header has no 'shape' tuple".into()),
    };
    if shape.len() > MAX_DIMS {
        return Err(format!(
            "its shape has {} dimensions; NumPy allows at most {MAX_DIMS}",
            shape.len()
        ));
    }
    Ok(Header {
        dtype,
        shape,
        order,
        data_offset: end,
    })
}

/// The bytes of a header for C-order data, of the version NumPy picks:
/// 1.0, or 2.0 when longer than 65,535 bytes, or 3.0 (UTF-8) when the text
/// is not latin-1 (a field named `ψ`).
pub fn write_header(dtype: &Dtype, shape: &[usize]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': {}, 'fortran_order': False, 'shape': {}, }}",
        dtype.npy_descr(),
        shape_repr(shape)
    );
    let latin1: Option<Vec<u8>> = dict.chars().map(|c| u8::try_from(c).ok()).collect();
    let (version, text) = match latin1 {
        Some(b) if b.len() + 11 < 65536 => (1u8, b),
        Some(b) => (2, b),
        None => (3, dict.into_bytes()),
    };
    let prefix = if version == 1 { 10 } else { 12 };
    // Pad with spaces so that the data starts at a multiple of 64 bytes.
    let total = (prefix + text.len() + 1).div_ceil(64) * 64;
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(&text);
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_header_reads_back() {
        for shape in [vec![], vec![5], vec![3, 4, 2]] {
            let d = Dtype::from_lit(&parse_py_literal("[('a', '<i2'), ('b', '>f8')]").unwrap())
                .unwrap();
            let h = write_header(&d, &shape);
            assert_eq!(h.len() % 64, 0);
            let back = read_header(&h).unwrap();
            assert_eq!(
                back,
                Header {
                    dtype: d,
                    shape,
                    order: Order::C,
                    data_offset: h.len()
                }
            );
        }
    }

    /// A UTF-8 field name was written into a version 1 header (latin-1),
    /// which NumPy loads as `Ï\x88`; NumPy writes version 3 for it.
    #[test]
    fn field_names_beyond_latin1_take_a_version_3_header() {
        let lit = |s: &str| Dtype::from_lit(&parse_py_literal(s).unwrap()).unwrap();
        let psi = lit("[('ψ', '<f4'), ('b', '<i2')]");
        let h = write_header(&psi, &[3]);
        assert_eq!(h[6], 3, "version 3");
        assert_eq!(read_header(&h).unwrap().dtype, psi);
        let e = lit("[('é', '<f4')]");
        let h = write_header(&e, &[3]);
        assert_eq!(h[6], 1, "latin-1 fits version 1");
        assert!(h.windows(3).any(|w| w == b"'\xe9'"), "one latin-1 byte");
        assert_eq!(read_header(&h).unwrap().dtype, e);
        let mut dims = String::from("(");
        dims.push_str(&"1, ".repeat(65));
        dims.push(')');
        let text = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}");
        let mut h = b"\x93NUMPY\x01\x00".to_vec();
        h.extend_from_slice(&(text.len() as u16).to_le_bytes());
        h.extend_from_slice(text.as_bytes());
        assert!(read_header(&h).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b"\x93NUMPY"[..],
            b"\x93NUMPY\x01\x00\xff\xff{",
            b"\x93NUMPY\x09\x00",
            b"\x93NUMPY\x01\x00\x05\x00{'a'}",
        ] {
            assert!(read_header(bad).is_err());
        }
    }
}
