//! `.npz` archives (`np.savez`): a zip of `.npy` members. A member stored
//! uncompressed lies in the archive as is, so it is mapped in place: its
//! `.npy` header is read from the archive's mapping and the view starts
//! after it. Compressed members (`np.savez_compressed`) are refused with a
//! message: decompressing would copy them.

use super::Failure;
use std::path::Path;

/// One member: its name (without `.npy`), where its `.npy` bytes start in
/// the archive, and how many there are; `None` when compressed.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub start: Option<u64>,
    pub len: u64,
}

pub fn is_npz(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"))
}

pub fn members(path: &Path) -> Result<Vec<Member>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| (format!("cannot open {}: {e}", path.display()), None))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| {
        (
            format!(
                "{} is not a readable .npz (zip) archive: {e}",
                path.display()
            ),
            None,
        )
    })?;
    let mut out = Vec::with_capacity(zip.len());
    for k in 0..zip.len() {
        let m = zip.by_index_raw(k).map_err(|e| {
            (
                format!("{}: member {k} is unreadable: {e}", path.display()),
                None,
            )
        })?;
        let name = m
            .name()
            .map_err(|e| {
                (
                    format!("{}: member {k} has an unreadable name: {e}", path.display()),
                    None,
                )
            })?
            .trim_end_matches(".npy")
            .to_string();
        let stored = m.compression() == zip::CompressionMethod::Stored;
        out.push(Member {
            name,
            start: if stored { m.data_start() } else { None },
            len: m.size(),
        });
    }
    Ok(out)
}
