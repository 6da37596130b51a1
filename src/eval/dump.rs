//! `bytes EXPR` (also `dump`): the bytes under a small view, element by
//! element, as od/xxd show them, split at field boundaries and decoded, so
//! a learner sees `<f4` against `>f4` and the interleaving of `r` and `i`.

use super::Value;
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Elem, Kind, Scalar};
use crate::syntax::Expr;
use crate::view::View;

/// Elements shown at most; the rest are counted.
pub const DUMP_ELEMENTS: usize = 64;

#[derive(Clone, Debug)]
pub struct Dump {
    pub text: String,
    pub dtype: String,
    pub itemsize: usize,
    /// The scalar parts of an element: name (`r`, a field path, or empty),
    /// byte offset within the element, and size.
    pub parts: Vec<Part>,
    pub rows: Vec<DumpRow>,
    /// Elements of the view not shown.
    pub more: usize,
}

#[derive(Clone, Debug)]
pub struct Part {
    pub name: String,
    pub offset: usize,
    pub size: usize,
    /// A number, or a whole string (`S10`, `U4`).
    pub dtype: Dtype,
}

#[derive(Clone, Debug)]
pub struct DumpRow {
    pub index: Vec<usize>,
    /// Byte offset of the element in the file.
    pub offset: usize,
    /// For a dataset: the file that holds the element (`offset` is in it).
    pub file: Option<String>,
    pub bytes: Vec<u8>,
    /// One decoded value per part.
    pub values: Vec<Elem>,
}

/// The scalar parts of a dtype, flattened (complex numbers as `r` and `i`).
fn parts(d: &Dtype, prefix: &str, base: usize, out: &mut Vec<Part>) {
    match d {
        Dtype::Scalar(s) if s.kind == Kind::Complex => {
            let half = Scalar::new(Kind::Float, s.size / 2, s.order);
            for (k, n) in ["r", "i"].iter().enumerate() {
                out.push(Part {
                    name: format!("{prefix}{n}"),
                    offset: base + k * s.size / 2,
                    size: s.size / 2,
                    dtype: Dtype::Scalar(half),
                });
            }
        }
        Dtype::Scalar(_) | Dtype::Text(_) => out.push(Part {
            name: prefix.trim_end_matches('.').to_string(),
            offset: base,
            size: d.itemsize(),
            dtype: d.clone(),
        }),
        Dtype::Record(_) => {
            for f in d.fields() {
                // A sub-array field: each of its elements, named by index.
                for (k, at) in f.element_offsets().enumerate() {
                    let name = if f.shape.is_empty() {
                        format!("{prefix}{}.", f.name)
                    } else {
                        format!("{prefix}{}[{k}].", f.name)
                    };
                    parts(&f.dtype, &name, base + at, out);
                }
            }
        }
    }
}

pub fn dump(v: &Value, e: &Expr, text: &str) -> Result<Dump, Error> {
    let view: &View = match v {
        Value::View(v) | Value::Void(v) => v,
        Value::Scalar(..) => {
            return Err(Error::new(
                ErrorKind::Type {
                    message: "this is one element, which NumPy copies out as a scalar".into(),
                    hint: Some("keep a view of it to see its bytes in the file: add `...`, as in `bytes d[0, 0, ...]`".into()),
                },
                e.span,
            ))
        }
        _ => {
            return Err(Error::new(
                ErrorKind::Type {
                    message: "bytes shows the bytes under a view of a file; this is a computed value".into(),
                    hint: Some("try `bytes d[:2, :3]`".into()),
                },
                e.span,
            ))
        }
    };
    let mut ps = Vec::new();
    parts(&view.dtype, "", 0, &mut ps);
    let size = view.dtype.itemsize();
    let mut rows = Vec::new();
    view.for_each_index_limit(DUMP_ELEMENTS, |idx| {
        let bytes = view.element_bytes(idx).to_vec();
        let values = ps
            .iter()
            .map(|p| p.dtype.decode(&bytes[p.offset..p.offset + p.size]))
            .collect();
        let at = view.element_offset(idx);
        let (offset, file) = match view.source.dataset() {
            Some(d) => {
                let p = &d.parts()[d.part_at(at as u64).min(d.parts().len() - 1)];
                (
                    (at as u64 - p.base + p.start) as usize,
                    Some(crate::text::escape(&p.path.display().to_string()).into_owned()),
                )
            }
            None => (at, None),
        };
        rows.push(DumpRow {
            index: idx.to_vec(),
            offset,
            file,
            bytes,
            values,
        });
    });
    Ok(Dump {
        text: text.to_string(),
        dtype: view.dtype.short(),
        itemsize: size,
        parts: ps,
        more: view.size() - rows.len(),
        rows,
    })
}
