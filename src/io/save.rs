//! `save EXPR PATH`: a view to `.npy` (loadable by `np.load`), `.csv` (as
//! `np.savetxt` writes) or raw `.bin` (the elements' bytes in C order).
//! Every save goes through [`write_file`]: never over a file the session
//! reads, through a temporary file renamed into place.

use super::write::{write_file, Checks, WriteError, Written};
use crate::compute::reduce::for_blocks;
use crate::compute::{encode_block_into, Lazy};
use crate::dtype::Dtype;
use crate::io::csv::write_csv;
use crate::npy;
use crate::number::exact_cells;
use crate::view::View;
use std::io::Write;
use std::path::Path;

/// What can be saved: a view, or one element copied out of one.
pub enum Data<'a> {
    View(&'a View),
    Scalar(&'a Dtype, &'a [u8]),
    /// A computed array: evaluated block by block as it is written.
    Lazy(&'a Lazy),
}

/// Writes a computed array's elements in C order, native byte order.
fn write_lazy(l: &Lazy, w: &mut dyn Write) -> std::io::Result<()> {
    let mut result = Ok(());
    let _job = crate::control::start(l.size() as u64);
    let mut bytes = Vec::new();
    let whole = for_blocks(l, 0, l.size(), |b, _| {
        if result.is_ok() {
            bytes.clear();
            encode_block_into(b, l.dtype, &mut bytes);
            result = w.write_all(&bytes);
        }
    });
    if whole.is_err() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "interrupted",
        ));
    }
    result
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The extension names no format `save` writes.
    UnknownFormat,
    Write(WriteError),
}

/// The format `save` writes for `path`'s extension.
fn kind_of(path: &Path) -> Option<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match ext.as_str() {
        "npy" => Kind::Npy,
        "csv" => Kind::Csv,
        "bin" | "raw" | "dat" => Kind::Raw,
        _ => return None,
    })
}

/// Saves `data` to `path` (through [`write_file`]), choosing the format by
/// the extension.
pub fn save(data: &Data, path: &Path, checks: &Checks) -> Result<Written, SaveError> {
    let kind = kind_of(path).ok_or(SaveError::UnknownFormat)?;
    write_file(path, checks, |mut w| {
        match (kind, data) {
            (Kind::Npy, Data::View(view)) => {
                w.write_all(&npy::write_header(&view.dtype, &view.shape))?;
                view.write_c_order(&mut w)?;
            }
            (Kind::Npy, Data::Lazy(l)) => {
                w.write_all(&npy::write_header(&Dtype::Scalar(l.dtype), &l.shape))?;
                write_lazy(l, w)?;
            }
            (Kind::Raw, Data::Lazy(l)) => write_lazy(l, w)?,
            (Kind::Npy, Data::Scalar(dtype, bytes)) => {
                w.write_all(&npy::write_header(dtype, &[]))?;
                w.write_all(bytes)?;
            }
            (Kind::Csv, Data::View(view)) => write_csv(*view, &mut w)?,
            (Kind::Csv, Data::Lazy(l)) => write_csv(*l, &mut w)?,
            (Kind::Csv, Data::Scalar(dtype, bytes)) => {
                let mut cells = Vec::new();
                exact_cells(&dtype.decode(bytes), &mut cells);
                writeln!(w, "{}", cells.join(","))?;
            }
            (Kind::Raw, Data::View(view)) => view.write_c_order(&mut w)?,
            (Kind::Raw, Data::Scalar(_, bytes)) => w.write_all(bytes)?,
        }
        Ok(())
    })
    .map_err(SaveError::Write)
}

#[derive(Clone, Copy)]
enum Kind {
    Npy,
    Csv,
    Raw,
}
