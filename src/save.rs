//! `save EXPR PATH`: a view to `.npy` (loadable by `np.load`), `.csv` (as
//! `np.savetxt` writes) or raw `.bin` (the elements' bytes in C order).
//! Data goes to a temporary file next to the target, renamed into place
//! at the end, so a failed save never leaves a half-written file under
//! the target's name (and never disturbs a file that is mapped).

use crate::npy;
use crate::render::write_csv;
use crate::view::View;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Saves `view` to `path`, choosing the format by the extension. Returns
/// the bytes written, or the reason and a hint.
pub fn save(view: &View, path: &Path) -> Result<u64, (String, Option<String>)> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let kind = match ext.as_str() {
        "npy" => Kind::Npy,
        "csv" => Kind::Csv,
        "bin" | "raw" | "dat" => Kind::Raw,
        _ => return Err(("unknown file type".into(), Some("end the path in .npy, .csv or .bin".into()))),
    };
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| ("not a file name".to_string(), None))?;
    let tmp = path.with_file_name(format!(".{name}.strided-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        match kind {
            Kind::Npy => {
                w.write_all(&npy::write_header(&view.dtype, &view.shape))?;
                view.write_c_order(&mut w)?;
            }
            Kind::Csv => write_csv(view, &mut w)?,
            Kind::Raw => view.write_c_order(&mut w)?,
        }
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
