//! `save EXPR PATH`: a view to `.npy` (loadable by `np.load`), `.csv` (as
//! `np.savetxt` writes) or raw `.bin` (the elements' bytes in C order).
//! Data goes to a temporary file next to the target, renamed into place
//! at the end, so a failed save never leaves a half-written file under
//! the target's name (and never disturbs a file that is mapped).

use crate::compute::reduce::for_blocks;
use crate::compute::{Lazy, Num};
use crate::dtype::Dtype;
use crate::eval::encode_num;
use crate::npy;
use crate::render::number::exact_cells;
use crate::render::write_csv;
use crate::view::View;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

/// What can be saved: a view, or one element copied out of one.
pub enum Data<'a> {
    View(&'a View),
    Scalar(&'a Dtype, &'a [u8]),
    /// A computed array: evaluated block by block as it is written.
    Lazy(&'a Lazy),
}

/// Writes a computed array's elements in C order, native byte order.
fn write_lazy(l: &Lazy, w: &mut impl Write) -> std::io::Result<()> {
    let mut result = Ok(());
    let _job = crate::compute::control::start(l.size() as u64);
    let whole = for_blocks(l, 0, l.size(), |b, _| {
        for k in 0..b.len() {
            if result.is_ok() {
                let n = Num {
                    re: b.re[k],
                    im: b.im.as_ref().map_or(0.0, |v| v[k]),
                };
                result = w.write_all(&encode_num(n, l.dtype));
            }
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

/// Saves `data` to `path`, choosing the format by the extension. Returns
/// the bytes written, or the reason and a hint.
pub fn save(data: &Data, path: &Path) -> Result<u64, (String, Option<String>)> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = match ext.as_str() {
        "npy" => Kind::Npy,
        "csv" => Kind::Csv,
        "bin" | "raw" | "dat" => Kind::Raw,
        _ => {
            return Err((
                "unknown file type".into(),
                Some("end the path in .npy, .csv or .bin".into()),
            ))
        }
    };
    write_via_temp(path, |w| {
        match (kind, data) {
            (Kind::Npy, Data::View(view)) => {
                w.write_all(&npy::write_header(&view.dtype, &view.shape))?;
                view.write_c_order(w)?;
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
            (Kind::Csv, Data::View(view)) => write_csv(*view, w)?,
            (Kind::Csv, Data::Lazy(l)) => write_csv(*l, w)?,
            (Kind::Csv, Data::Scalar(dtype, bytes)) => {
                let mut cells = Vec::new();
                exact_cells(&dtype.decode(bytes), &mut cells);
                writeln!(w, "{}", cells.join(","))?;
            }
            (Kind::Raw, Data::View(view)) => view.write_c_order(w)?,
            (Kind::Raw, Data::Scalar(_, bytes)) => w.write_all(bytes)?,
        }
        Ok(())
    })
}

/// Writes `path` through a temporary file next to it, renamed into place
/// once complete, so that an error or Ctrl-C never leaves a half-written
/// file. Returns the bytes written, or the reason and a hint.
pub fn write_via_temp(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<u64, (String, Option<String>)> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| ("not a file name".to_string(), None))?;
    let tmp = path.with_file_name(format!(".{name}.strided-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    match result {
        Ok(()) => Ok(fs::metadata(path).map(|m| m.len()).unwrap_or(0)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err((e.to_string(), None))
        }
    }
}

enum Kind {
    Npy,
    Csv,
    Raw,
}
