//! `open` of many files as one array (a dataset): a list
//! (`open [a.bin, b.bin] ...`), a folder (its regular files) or a pattern
//! (`open "capture_*.cf32" -1x1024`), in natural order (`_10` after `_9`),
//! stacked along axis 0. Each file is only looked at (stat, and a `.npy`
//! header or a SigMF description read): nothing is mapped until a
//! statement reads it (`source::Dataset`).
//!
//! Every file must give the same dtype and the same shape after the first
//! axis, or the open fails naming the first file that differs. A layout
//! given with the open applies to each file: `offset=` is each file's
//! header, and the shape's first dimension (`-1`, or fewer rows than
//! there are) counts rows over all files.

use super::open::bound_name;
use super::{info, open_error, Opened, Session};
use crate::diag::{Error, ErrorKind};
use crate::dtype::Dtype;
use crate::report::Field;
use crate::source::Part;
use crate::syntax::{Open, Spanned};
use crate::view::{Order, View};
use std::cmp::Ordering;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What to do when one file of a folder or pattern does not fit.
const DATASET_HINT: &str = "a folder, pattern or list opens every file it names as one array; choose the files with a pattern (open \"DIR/*.cf32\") or a list ([a.bin, b.bin]), or give the layout (open DIR -1x1024 c8)";

/// One file's layout: where its rows start and how many it has.
struct PartLayout {
    part: Part,
    dtype: Dtype,
    /// The shape after the first axis.
    trailing: Vec<usize>,
    rows: u64,
    /// Where the layout came from ("raw", ".npy header", "SigMF ...").
    from: String,
}

/// Compares names as people count: runs of digits by their value, so
/// `capture_9` comes before `capture_10`; ties broken by the plain order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    while let (Some(&c), Some(&d)) = (x.first(), y.first()) {
        if c.is_ascii_digit() && d.is_ascii_digit() {
            let run = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
            let (n, m) = (run(x), run(y));
            let trim = |s: &[u8]| {
                let z = s.iter().take_while(|&&b| b == b'0').count();
                s[z..].to_vec()
            };
            let (p, q) = (trim(&x[..n]), trim(&y[..m]));
            let by_value = p.len().cmp(&q.len()).then_with(|| p.cmp(&q));
            if by_value != Ordering::Equal {
                return by_value;
            }
            x = &x[n..];
            y = &y[m..];
        } else {
            if c != d {
                return c.cmp(&d);
            }
            x = &x[1..];
            y = &y[1..];
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

/// Whether a file in a folder is a description of another (a SigMF
/// `.sigmf-data` beside its `.sigmf-meta`, a `.hdr`, GDAL's `.aux.xml`)
/// rather than a part of the dataset.
fn is_description(name: &str, all: &[String]) -> bool {
    if let Some(stem) = name.strip_suffix(".sigmf-data") {
        return all.iter().any(|n| n == &format!("{stem}.sigmf-meta"));
    }
    name.ends_with(".hdr") || name.ends_with(".aux.xml")
}

impl Session {
    /// The files `o` names when it names several, in order: its list, the
    /// regular files of a folder, or the files a pattern matches (when no
    /// file has the pattern as its name). `None` for one file.
    pub(super) fn dataset_paths(&self, o: &Open) -> Result<Option<Vec<PathBuf>>, Error> {
        let path = &o.path;
        if !o.list.is_empty() {
            return Ok(Some(
                o.list.iter().map(|p| PathBuf::from(&p.node)).collect(),
            ));
        }
        let p = Path::new(&path.node);
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| open_error(path, e.to_string(), None))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| !n.starts_with('.'))
                .collect::<Vec<_>>();
            let mut names: Vec<String> = entries
                .iter()
                .filter(|n| !is_description(n, &entries))
                .cloned()
                .collect();
            names.sort_by(|a, b| natural_cmp(a, b));
            if names.is_empty() {
                return Err(open_error(
                    path,
                    "the folder holds no regular files".into(),
                    Some("open a folder of data files, or name one file".into()),
                ));
            }
            return Ok(Some(names.iter().map(|n| p.join(n)).collect()));
        }
        let pattern = path.node.contains(['*', '?', '[']);
        if !pattern || p.exists() {
            return Ok(None);
        }
        let walk = glob::glob(&path.node).map_err(|e| {
            open_error(
                path,
                format!("the pattern is not valid: {}", e.msg),
                Some("`*` matches any run of characters, `?` one, `[0-9]` one of a set".into()),
            )
        })?;
        let mut found: Vec<PathBuf> = walk
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        found.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
        if found.is_empty() {
            return Err(open_error(
                path,
                "no file matches the pattern".into(),
                Some("check the folder and the pattern; it is relative to the folder strided was started in".into()),
            ));
        }
        Ok(Some(found))
    }

    /// `open` of `paths` as one array stacked along axis 0.
    pub(super) fn open_dataset(&mut self, o: &Open, paths: Vec<PathBuf>) -> Result<Opened, Error> {
        let path = &o.path;
        if let Some(m) = o.mode.as_ref().filter(|m| m.node != "r") {
            return Err(Error::new(
                ErrorKind::Unsupported {
                    what: format!("mode={} for a dataset of many files", m.node),
                    hint: Some("open the one file to change with mode= of its own".into()),
                },
                m.span,
            ));
        }
        if o.guess.is_some() {
            return Err(open_error(
                path,
                "`guess` looks at one file".into(),
                Some(format!(
                    "guess the first file, then open them all with its layout: guess {}",
                    crate::text::escape(&paths[0].display().to_string())
                )),
            ));
        }
        if o.order.as_ref().is_some_and(|c| c.node == 'F') {
            return Err(open_error(
                path,
                "the files of a dataset are stacked along axis 0, in C order".into(),
                Some("open each file on its own for Fortran order".into()),
            ));
        }
        let user_layout = o.shape.is_some() || o.dtype.is_some() || o.offset.is_some();
        let mut assumed = Vec::new();
        let layouts = if user_layout {
            self.raw_parts(o, &paths, &mut assumed)?
        } else {
            assumed.push("layout");
            // The first file, and any with another extension, are looked
            // at (4 KiB) before being read as raw numbers: a README or a
            // picture in the folder is named, not read as complex64.
            let ext = |p: &Path| p.extension().map(|e| e.to_os_string());
            let first_ext = ext(&paths[0]);
            paths
                .iter()
                .enumerate()
                .map(|(k, p)| described_part(path, p, k == 0 || ext(p) != first_ext))
                .collect::<Result<Vec<_>, _>>()?
        };
        // Every file like the first.
        let first = &layouts[0];
        for l in &layouts[1..] {
            if l.dtype != first.dtype || l.trailing != first.trailing {
                let show = |l: &PartLayout| {
                    format!(
                        "{} rows of {} {}",
                        l.rows,
                        crate::text::shape_repr(&l.trailing),
                        l.dtype.short()
                    )
                };
                return Err(open_error(
                    path,
                    format!(
                        "{} gives {}, but the first file {} gives {}",
                        crate::text::escape(&l.part.path.display().to_string()),
                        show(l),
                        crate::text::escape(&first.part.path.display().to_string()),
                        show(first)
                    ),
                    Some("every file of a dataset must have the same dtype and the same shape after the first axis".into()),
                ));
            }
        }
        let (dtype, trailing) = (first.dtype.clone(), first.trailing.clone());
        let from = first.from.clone();
        let total: u64 = layouts.iter().map(|l| l.rows).sum();
        let rows = match o.shape.as_ref().and_then(|s| s.node.first().copied()) {
            Some(n) if n >= 0 => {
                if n as u128 > total as u128 {
                    return Err(Error::new(
                        ErrorKind::BadShape {
                            reason: format!(
                                "{n} rows asked for, but the {} files hold {total}",
                                layouts.len()
                            ),
                        },
                        o.shape.as_ref().map_or(path.span, |s| s.span),
                    ));
                }
                n as u64
            }
            _ => total,
        };
        let mut base = 0u64;
        let mut parts = Vec::with_capacity(layouts.len());
        for l in layouts {
            let mut p = l.part;
            p.base = base;
            base = base
                .checked_add(p.len)
                .ok_or_else(|| open_error(path, "the dataset is too large".into(), None))?;
            parts.push(p);
        }
        let n_files = parts.len();
        let (first_path, last_path) = (parts[0].path.clone(), parts[n_files - 1].path.clone());
        let source = self.files.dataset(PathBuf::from(&path.node), parts);
        let mut shape =
            vec![usize::try_from(rows)
                .map_err(|_| open_error(path, "too many rows".into(), None))?];
        shape.extend(&trailing);
        let view = View::over_file(source, 0, shape, dtype, Order::C)
            .ok_or_else(|| open_error(path, "the dataset is too large to address".into(), None))?;
        let name = bound_name(o, &mut assumed);
        let mut opened = self.bind_opened(name.clone(), view, Order::C, false, false, assumed);
        opened.described = Some(format!(
            "a dataset of {n_files} files stacked along axis 0, {} to {} (each {from})",
            crate::text::escape(&first_path.display().to_string()),
            crate::text::escape(&last_path.display().to_string()),
        ));
        self.meta.insert(
            name,
            info::Meta {
                format: format!("dataset of {n_files} files ({from}), stacked along axis 0"),
                described_by: None,
                axes: Vec::new(),
                facts: vec![
                    ("files".into(), Field::Int(n_files as i128)),
                    (
                        "first file".into(),
                        Field::str(first_path.display().to_string()),
                    ),
                    (
                        "last file".into(),
                        Field::str(last_path.display().to_string()),
                    ),
                    ("rows in all files".into(), Field::Int(total as i128)),
                ],
            },
        );
        Ok(opened)
    }

    /// A view of `segments` (byte ranges of `source`'s file, in order) as
    /// one array of `shape` (1-D, or samples x channels): a dataset whose
    /// parts are pieces of one file, which keeps its one mapping.
    pub(super) fn segmented_view(
        &mut self,
        source: &std::sync::Arc<crate::source::Source>,
        segments: &[(u64, u64)],
        shape: Option<&[i128]>,
        dtype: &Dtype,
    ) -> Result<View, String> {
        let mut base = 0;
        let parts: Vec<Part> = segments
            .iter()
            .map(|&(start, len)| {
                let p = Part {
                    path: source.path.clone(),
                    dev: source.dev,
                    ino: source.ino,
                    file_len: source.len(),
                    start,
                    len,
                    base,
                };
                base += len;
                p
            })
            .collect();
        if segments.iter().any(|&(s, l)| s + l > source.len()) {
            return Err("the captures' samples run past the end of the data file".into());
        }
        let shape: Vec<usize> = match shape {
            Some(s) => s
                .iter()
                .map(|&n| {
                    usize::try_from(n).map_err(|_| "the described shape is not known".to_string())
                })
                .collect::<Result<_, _>>()?,
            None => vec![(base / dtype.itemsize().max(1) as u64) as usize],
        };
        let data = self.files.dataset(source.path.clone(), parts);
        View::over_file(data, 0, shape, dtype.clone(), Order::C)
            .ok_or_else(|| "the captures' samples do not fill the described shape".to_string())
    }

    /// Each file laid out as the open says (raw): the dtype (given, from the
    /// first file's extension, or complex64), `offset=` skipped in each, and
    /// whole rows of the shape after its first axis.
    fn raw_parts(
        &mut self,
        o: &Open,
        paths: &[PathBuf],
        assumed: &mut Vec<&'static str>,
    ) -> Result<Vec<PartLayout>, Error> {
        let path = &o.path;
        let dtype = match &o.dtype {
            Some(l) => Dtype::from_lit(l)?,
            None => {
                assumed.push("dtype");
                crate::formats::extension_dtype(&paths[0])
                    .map_or_else(Dtype::default_for_open, |(_, _, d)| d)
            }
        };
        let offset = match &o.offset {
            None => 0u64,
            Some(e) => u64::try_from(self.offset_arg(e)?).map_err(|_| {
                open_error(path, "offset= is past the end of every file".into(), None)
            })?,
        };
        let trailing: Vec<usize> = match &o.shape {
            None => Vec::new(),
            Some(s) => {
                if s.node.is_empty() || s.node[1..].iter().any(|&d| d < 0) || s.node[0] < -1 {
                    return Err(Error::new(
                        ErrorKind::BadShape {
                            reason: "only the first dimension of a dataset can be -1 (the files are stacked along it)".into(),
                        },
                        s.span,
                    ));
                }
                s.node[1..]
                    .iter()
                    .map(|&d| {
                        usize::try_from(d)
                            .map_err(|_| open_error(path, "a dimension is too large".into(), None))
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        let row = trailing
            .iter()
            .try_fold(dtype.itemsize() as u64, |a, &d| a.checked_mul(d as u64))
            .ok_or_else(|| open_error(path, "a row is too large".into(), None))?;
        if row == 0 {
            return Err(open_error(
                path,
                "a row of zero bytes cannot be counted in the files".into(),
                Some("give a shape whose dimensions after the first are not 0".into()),
            ));
        }
        let mut out = Vec::with_capacity(paths.len());
        for p in paths {
            let (dev, ino, file_len) = stat(path, p)?;
            let shown = crate::text::escape(&p.display().to_string()).into_owned();
            if offset > file_len {
                return Err(open_error(
                    path,
                    format!("{shown} has {file_len} bytes, fewer than offset={offset}"),
                    None,
                ));
            }
            let avail = file_len - offset;
            if avail % row != 0 {
                return Err(open_error(
                    path,
                    format!(
                        "the {avail} bytes of {shown} after offset {offset} are not a whole number of rows of {row} bytes"
                    ),
                    Some("each file must hold whole rows of the shape after the first axis".into()),
                ));
            }
            out.push(PartLayout {
                part: Part {
                    path: p.clone(),
                    dev,
                    ino,
                    file_len,
                    start: offset,
                    len: avail,
                    base: 0,
                },
                dtype: dtype.clone(),
                trailing: trailing.clone(),
                rows: avail / row,
                from: "raw".into(),
            });
        }
        Ok(out)
    }
}

/// A file's device, inode and size, or the open error naming it.
fn stat(path: &Spanned<String>, p: &Path) -> Result<(u64, u64, u64), Error> {
    let shown = crate::text::escape(&p.display().to_string()).into_owned();
    let m = std::fs::metadata(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => open_error(
            path,
            format!("{shown}: no such file"),
            Some("check the path; it is relative to the folder strided was started in".into()),
        ),
        std::io::ErrorKind::PermissionDenied => open_error(
            path,
            format!("{shown}: permission denied"),
            Some("the file must be readable by you".into()),
        ),
        _ => open_error(path, format!("{shown}: {e}"), None),
    })?;
    if !m.is_file() {
        return Err(open_error(
            path,
            format!("{shown} is not a regular file"),
            Some("a dataset is made of regular files".into()),
        ));
    }
    Ok((m.dev(), m.ino(), m.len()))
}

/// One file as it describes itself: a SigMF or ENVI description, a `.npy`
/// header, or else raw (its extension's dtype, or complex64), 1-D.
fn described_part(path: &Spanned<String>, p: &Path, sniff: bool) -> Result<PartLayout, Error> {
    let shown = crate::text::escape(&p.display().to_string()).into_owned();
    let fail = |reason: String| {
        open_error(
            path,
            format!("{shown}: {reason}"),
            Some(DATASET_HINT.into()),
        )
    };
    stat(path, p)?;
    let (data, offset, dtype, shape, from) =
        match crate::formats::describe(p).map_err(|(reason, _)| fail(reason))? {
            Some(d) => {
                if d.strides.is_some() {
                    return Err(fail(format!(
                        "its {} layout has strides; a dataset stacks contiguous files",
                        d.format
                    )));
                }
                (d.data, d.offset, d.dtype, d.shape, d.format.to_string())
            }
            None => match read_npy_header(p).map_err(fail)? {
                Some(h) => {
                    if h.order == Order::F && h.shape.len() > 1 {
                        return Err(fail(
                            "it is stored in Fortran order; a dataset stacks C-order files".into(),
                        ));
                    }
                    let shape = h.shape.iter().map(|&n| n as i128).collect();
                    (
                        p.to_path_buf(),
                        h.data_offset as u64,
                        h.dtype,
                        Some(shape),
                        ".npy header".into(),
                    )
                }
                None => {
                    if sniff {
                        refuse_foreign(path, p)?;
                    }
                    let dtype = crate::formats::extension_dtype(p)
                        .map_or_else(Dtype::default_for_open, |(_, _, d)| d);
                    (p.to_path_buf(), 0, dtype, None, "raw".into())
                }
            },
        };
    let (dev, ino, file_len) = stat(path, &data)?;
    let avail = file_len
        .checked_sub(offset)
        .ok_or_else(|| fail(format!("its data offset {offset} is past its end")))?;
    let item = dtype.itemsize() as u64;
    let shape: Vec<i128> = match shape {
        Some(s) if !s.is_empty() => s,
        Some(_) => return Err(fail("it holds a 0-d array; a dataset stacks rows".into())),
        None => vec![-1],
    };
    let trailing: Vec<usize> = shape[1..]
        .iter()
        .map(|&d| {
            usize::try_from(d)
                .map_err(|_| fail("its shape is not known after the first axis".into()))
        })
        .collect::<Result<_, _>>()?;
    let row = trailing
        .iter()
        .try_fold(item, |a, &d| a.checked_mul(d as u64))
        .ok_or_else(|| fail("a row is too large".into()))?;
    let rows = if shape[0] < 0 {
        if row == 0 || avail % row != 0 {
            return Err(fail(format!(
                "its {avail} bytes of data are not a whole number of {} elements",
                dtype.short()
            )));
        }
        avail / row
    } else {
        shape[0] as u64
    };
    let len = rows
        .checked_mul(row)
        .filter(|&n| n <= avail)
        .ok_or_else(|| {
            fail(format!(
                "its shape needs more than its {avail} bytes of data"
            ))
        })?;
    Ok(PartLayout {
        part: Part {
            path: data,
            dev,
            ino,
            file_len,
            start: offset,
            len,
            base: 0,
        },
        dtype,
        trailing,
        rows,
        from,
    })
}

/// Refuses a file of another format, or text, met where raw numbers are
/// assumed (as `open` of one file does): what it is, and how to leave it out.
fn refuse_foreign(path: &Spanned<String>, p: &Path) -> Result<(), Error> {
    use crate::guess::Finding;
    use std::io::Read;
    let mut head = Vec::new();
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.take(4096).read_to_end(&mut head);
    }
    let what = match crate::guess::recognise(&head, &[]) {
        Some(Finding::Format {
            what, opens: false, ..
        }) => what,
        Some(Finding::Text { .. }) => "text".to_string(),
        _ => return Ok(()),
    };
    Err(open_error(
        path,
        format!(
            "{} is {what}, not raw numbers",
            crate::text::escape(&p.display().to_string())
        ),
        Some(DATASET_HINT.into()),
    ))
}

/// The `.npy` header of `p`, if it starts like one (only the header is read).
fn read_npy_header(p: &Path) -> Result<Option<crate::npy::Header>, String> {
    use std::io::Read;
    let mut f = std::fs::File::open(p).map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    (&mut f)
        .take(12)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    if !crate::npy::is_npy(&head) {
        return Ok(None);
    }
    let len = match head.get(6) {
        _ if head.len() < 10 => return Err("its .npy header is cut short".into()),
        Some(1) => u16::from_le_bytes([head[8], head[9]]) as u64 + 10,
        _ if head.len() >= 12 => {
            u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as u64 + 12
        }
        _ => return Err("its .npy header is cut short".into()),
    };
    let len = len.min(crate::npy::MAX_HEADER as u64 + 12);
    (&mut f)
        .take(len.saturating_sub(head.len() as u64))
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    crate::npy::read_header(&head).map(Some)
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn natural_order_counts_digits_by_value() {
        let mut v = vec![
            "c_10.bin",
            "c_9.bin",
            "c_1.bin",
            "c_010.bin",
            "c_2a.bin",
            "b.bin",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "b.bin",
                "c_1.bin",
                "c_2a.bin",
                "c_9.bin",
                "c_010.bin",
                "c_10.bin"
            ]
        );
    }
}
