//! SigMF recordings: `x.sigmf-meta` (JSON) describes `x.sigmf-data`, or
//! both sit in `x.sigmf`, an uncompressed tar archive whose data member is
//! mapped in place. `core:datatype` gives the dtype (`cf32_le`, `ci16_le`,
//! `ru8`, ...), `core:num_channels` interleaved channels a second axis,
//! the first capture's `core:header_bytes` the offset (later captures'
//! header bytes make `segments`: the samples read around each header) and
//! `core:trailing_bytes` what the samples stop short of; sample rate,
//! frequency, times and annotations are kept for `info`.

use super::{read_text, Described, Failure};
use crate::dtype::Dtype;
use crate::report::{Field, Fields};
use serde_json::Value;
use std::path::Path;

/// Annotations listed by `info` at most.
const SHOWN: usize = 20;

pub fn describe(path: &Path) -> Result<Described, Failure> {
    let s = path.to_string_lossy();
    let stem = s
        .strip_suffix(".sigmf-meta")
        .or_else(|| s.strip_suffix(".sigmf-data"))
        .expect("called for SigMF names");
    let meta_path = Path::new(&format!("{stem}.sigmf-meta")).to_path_buf();
    let data = Path::new(&format!("{stem}.sigmf-data")).to_path_buf();
    let text = read_text(&meta_path, "SigMF metadata")?;
    // The data's length matters only when trailing bytes end it early.
    let data_len = std::fs::metadata(&data).ok().map(|m| m.len());
    describe_text(&text, &meta_path, &data, 0, data_len, false)
}

/// The largest metadata member read from an archive.
const META_MAX: u64 = 16 << 20;

/// `x.sigmf`: the first recording of the archive (a `.sigmf-meta` member
/// and the `.sigmf-data` member of the same stem), its data mapped in
/// place from the archive. Other recordings are named in the facts.
pub fn describe_archive(path: &Path) -> Result<Described, Failure> {
    let mut all = archive_recordings(path)?;
    let names: Vec<String> = all.iter().skip(1).map(|(stem, _)| stem.clone()).collect();
    let (_, mut d) = all.swap_remove(0);
    if !names.is_empty() {
        d.facts.push((
            "other recordings in the archive".into(),
            Field::List(names.into_iter().map(Field::Str).collect()),
        ));
    }
    Ok(d)
}

/// Every recording of the archive `x.sigmf` (each `.sigmf-meta` member
/// with the `.sigmf-data` member of the same stem), in the archive's
/// order, with its stem; the data of each mapped in place.
pub fn archive_recordings(path: &Path) -> Result<Vec<(String, Described)>, Failure> {
    use std::io::{Read, Seek, SeekFrom};
    let members = tar_members(path)?;
    let stem_of = |name: &str, ext: &str| name.strip_suffix(ext).map(str::to_string);
    let metas: Vec<&TarMember> = members
        .iter()
        .filter(|m| m.name.ends_with(".sigmf-meta"))
        .collect();
    if metas.is_empty() {
        return Err((
            format!("{} holds no .sigmf-meta member", path.display()),
            Some("a SigMF archive is a tar of x.sigmf-meta and x.sigmf-data".into()),
        ));
    }
    let mut out = Vec::new();
    for meta in metas {
        let stem = stem_of(&meta.name, ".sigmf-meta").unwrap_or_default();
        let data = members
            .iter()
            .find(|m| stem_of(&m.name, ".sigmf-data").as_deref() == Some(stem.as_str()))
            .ok_or_else(|| {
                (
                    format!(
                        "{} has {} but no {stem}.sigmf-data",
                        path.display(),
                        meta.name
                    ),
                    None,
                )
            })?;
        if meta.len > META_MAX {
            return Err((
                format!(
                    "{} in {} is too large to be metadata",
                    meta.name,
                    path.display()
                ),
                None,
            ));
        }
        let mut text = String::new();
        let mut f = std::fs::File::open(path)
            .map_err(|e| (format!("cannot read {}: {e}", path.display()), None))?;
        f.seek(SeekFrom::Start(meta.start))
            .and_then(|_| f.take(meta.len).read_to_string(&mut text))
            .map_err(|e| {
                (
                    format!("cannot read {} in {}: {e}", meta.name, path.display()),
                    None,
                )
            })?;
        let label = Path::new(&format!("{}:{}", path.display(), meta.name)).to_path_buf();
        let mut d = describe_text(&text, &label, path, data.start, Some(data.len), true)?;
        d.described_by = path.to_path_buf();
        d.facts.insert(
            0,
            (
                "archive members".into(),
                Field::Str(format!("{} (mapped in place) and {}", data.name, meta.name)),
            ),
        );
        // The name a recording is bound to: its file name without folders.
        let short = stem.rsplit('/').next().unwrap_or(&stem).to_string();
        out.push((short, d));
    }
    Ok(out)
}

/// A member of a tar archive: its name and where its bytes lie.
struct TarMember {
    name: String,
    start: u64,
    len: u64,
}

/// The regular files of an uncompressed tar archive (ustar, GNU and pax
/// headers), read from its 512-byte headers.
fn tar_members(path: &Path) -> Result<Vec<TarMember>, Failure> {
    use std::io::{Read, Seek, SeekFrom};
    let bad = |why: String| {
        (
            format!("{} is not a readable tar archive: {why}", path.display()),
            Some(
                "a SigMF archive is an uncompressed tar (tar cf x.sigmf x.sigmf-meta x.sigmf-data)"
                    .into(),
            ),
        )
    };
    let mut f = std::fs::File::open(path)
        .map_err(|e| (format!("cannot read {}: {e}", path.display()), None))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut members = Vec::new();
    let mut at = 0u64;
    let mut long_name: Option<String> = None;
    // Each header is 512 bytes and a member at least that: a bound on the loop.
    while at + 512 <= total {
        let mut h = [0u8; 512];
        f.seek(SeekFrom::Start(at))
            .and_then(|_| f.read_exact(&mut h))
            .map_err(|e| bad(e.to_string()))?;
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let field = |r: std::ops::Range<usize>| {
            let b = &h[r];
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            String::from_utf8_lossy(&b[..end]).into_owned()
        };
        let size_field = &h[124..136];
        let len = if size_field[0] & 0x80 != 0 {
            // GNU base-256 for sizes of 8 GiB and more.
            size_field[1..].iter().fold(0u64, |n, &b| {
                n.saturating_mul(256).saturating_add(u64::from(b))
            })
        } else {
            let digits = field(124..136);
            u64::from_str_radix(digits.trim(), 8)
                .map_err(|_| bad(format!("a size field `{}` at byte {at}", digits.trim())))?
        };
        let start = at + 512;
        if start.checked_add(len).is_none_or(|end| end > total) {
            return Err(bad(format!("a member at byte {at} runs past the end")));
        }
        let kind = h[156];
        match kind {
            b'x' | b'L' if len <= META_MAX => {
                // A pax header (`path=` record) or a GNU long name: the
                // name of the next member.
                let mut body = vec![0u8; len as usize];
                f.seek(SeekFrom::Start(start))
                    .and_then(|_| f.read_exact(&mut body))
                    .map_err(|e| bad(e.to_string()))?;
                let body = String::from_utf8_lossy(&body).into_owned();
                long_name = if kind == b'L' {
                    Some(body.trim_end_matches('\0').to_string())
                } else {
                    body.lines()
                        .find_map(|l| l.split_once(" path=").map(|(_, p)| p.to_string()))
                };
            }
            b'0' | 0 => {
                let prefix = if &h[257..262] == b"ustar" {
                    field(345..500)
                } else {
                    String::new()
                };
                let short = field(0..100);
                let name = long_name.take().unwrap_or(if prefix.is_empty() {
                    short
                } else {
                    format!("{prefix}/{short}")
                });
                // Members are matched by their file name, not their folder.
                let name = name.rsplit('/').next().unwrap_or(&name).to_string();
                members.push(TarMember { name, start, len });
            }
            _ => long_name = None,
        }
        at = start + len.div_ceil(512) * 512;
    }
    Ok(members)
}

/// A recording's description from its metadata `text`: `label` names the
/// metadata, `data` the file to map, whose samples start `data_start`
/// bytes in (an archive member) and, when known, span `data_len` bytes.
/// `bounded`: the data must not run past `data_len` (an archive member,
/// followed by other members), so the shape is always explicit.
fn describe_text(
    text: &str,
    meta_path: &Path,
    data: &Path,
    data_start: u64,
    data_len: Option<u64>,
    bounded: bool,
) -> Result<Described, Failure> {
    let meta_path = meta_path.to_path_buf();
    let data = data.to_path_buf();
    let meta: Value = serde_json::from_str(text).map_err(|e| {
        (
            format!("{} is not valid JSON: {e}", meta_path.display()),
            Some("SigMF metadata is a JSON object with global, captures and annotations".into()),
        )
    })?;
    let global = meta
        .get("global")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            (
                format!("{} has no \"global\" object", meta_path.display()),
                None,
            )
        })?;
    let datatype = global
        .get("core:datatype")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            (
                format!("{} has no global core:datatype", meta_path.display()),
                None,
            )
        })?;
    let dtype: Dtype = Dtype::sdr_alias(datatype).ok_or_else(|| {
        (
            format!("unknown SigMF datatype `{datatype}`"),
            Some("SigMF names are like cf32_le, ci16_le, cu8, rf32_be".into()),
        )
    })?;
    let channels = global
        .get("core:num_channels")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let captures = meta
        .get("captures")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let header = |c: &Value| {
        c.get("core:header_bytes")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let offset = data_start + captures.first().map_or(0, header);
    let trailing = global
        .get("core:trailing_bytes")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut facts: Fields = vec![("SigMF datatype".into(), Field::str(datatype))];
    let mut fact = |k: &str, v: Option<Field>| {
        if let Some(v) = v {
            facts.push((k.into(), v));
        }
    };
    let num = |v: Option<&Value>| v.and_then(Value::as_f64);
    fact(
        "sample rate (Hz)",
        num(global.get("core:sample_rate")).map(|r| Field::Float(r, 8)),
    );
    // The first capture's centre frequency: where `psd` puts zero.
    fact(
        "centre frequency (Hz)",
        captures
            .first()
            .and_then(|c| num(c.get("core:frequency")))
            .map(|f| Field::Float(f, 8)),
    );
    fact(
        "channels",
        (channels > 1).then_some(Field::Int(channels as i128)),
    );
    for key in [
        "core:version",
        "core:description",
        "core:author",
        "core:hw",
        "core:recorder",
        "core:license",
    ] {
        fact(
            key.trim_start_matches("core:"),
            global.get(key).map(|v| Field::Str(text_of(v))),
        );
    }
    if captures.len() > SHOWN {
        fact(
            "captures (the first {SHOWN} are listed)",
            Some(Field::Int(captures.len() as i128)),
        );
    }
    for (k, c) in captures.iter().enumerate().take(SHOWN) {
        let mut parts = vec![format!(
            "from sample {}",
            c.get("core:sample_start")
                .and_then(Value::as_u64)
                .unwrap_or(0)
        )];
        if let Some(f) = num(c.get("core:frequency")) {
            parts.push(format!("centre {f} Hz"));
        }
        if let Some(t) = c.get("core:datetime").and_then(Value::as_str) {
            parts.push(t.to_string());
        }
        if header(c) > 0 {
            parts.push(format!("{} header bytes", header(c)));
        }
        fact(&format!("capture {k}"), Some(Field::Str(parts.join(", "))));
    }
    let later_headers = captures.iter().skip(1).any(|c| header(c) > 0);
    if later_headers {
        fact(
            "note",
            Some(Field::str(
                "later captures have their own header bytes: the samples are read around them",
            )),
        );
    }
    let annotations = meta
        .get("annotations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !annotations.is_empty() {
        let lines: Vec<String> = annotations
            .iter()
            .take(SHOWN)
            .map(|a| {
                let start = a
                    .get("core:sample_start")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                let mut s = match a.get("core:sample_count").and_then(Value::as_u64) {
                    Some(n) => format!("samples {start}..{}", u128::from(start) + u128::from(n)),
                    None => format!("from sample {start}"),
                };
                if let (Some(lo), Some(hi)) = (
                    num(a.get("core:freq_lower_edge")),
                    num(a.get("core:freq_upper_edge")),
                ) {
                    s.push_str(&format!(", {lo}..{hi} Hz"));
                }
                for key in ["core:label", "core:comment"] {
                    if let Some(t) = a.get(key).and_then(Value::as_str) {
                        s.push_str(&format!(", {t}"));
                    }
                }
                s
            })
            .collect();
        let more = annotations.len().saturating_sub(SHOWN);
        let mut list: Vec<Field> = lines.into_iter().map(Field::Str).collect();
        if more > 0 {
            list.push(Field::Str(format!("({more} more)")));
        }
        facts.push((
            format!("annotations ({})", annotations.len()),
            Field::List(list),
        ));
    }
    if trailing > 0 {
        facts.push((
            "trailing bytes (left out)".into(),
            Field::Int(trailing as i128),
        ));
    }
    // An explicit number of samples where the data stops short of the end
    // of the file: trailing bytes, or an archive member.
    let samples = match data_len {
        Some(len) if trailing > 0 || bounded => {
            let usable = (len + data_start)
                .checked_sub(offset)
                .and_then(|n| n.checked_sub(trailing))
                .ok_or_else(|| {
                    (
                        format!(
                            "{}: header bytes ({}) and trailing bytes ({trailing}) exceed the data's {len} bytes",
                            meta_path.display(),
                            offset - data_start
                        ),
                        None,
                    )
                })?;
            let per = dtype.itemsize() as u64 * channels.max(1);
            Some(i128::from(usable / per))
        }
        _ => None,
    };
    // Captures with their own header bytes: each capture's samples (from
    // its sample_start to the next one's, the last to the end) after its
    // header, as byte ranges of the data.
    let per = dtype.itemsize() as u64 * channels.max(1);
    let mut segments = None;
    let mut samples = samples;
    if later_headers {
        let len = match data_len {
            Some(len) => len,
            None => {
                return Err((
                    format!("{}: the data file is missing", meta_path.display()),
                    None,
                ))
            }
        };
        let end = data_start + len - trailing.min(len);
        let start_of = |c: &Value| {
            c.get("core:sample_start")
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let mut pos = data_start;
        let mut list = Vec::new();
        for (k, c) in captures.iter().enumerate() {
            pos = pos.saturating_add(header(c));
            let bytes = match captures.get(k + 1) {
                Some(next) => start_of(next)
                    .checked_sub(start_of(c))
                    .and_then(|n| n.checked_mul(per)),
                None => end.checked_sub(pos).map(|n| n / per * per),
            };
            let bytes = bytes.filter(|&b| pos.checked_add(b).is_some_and(|e| e <= end));
            let Some(bytes) = bytes else {
                return Err((
                    format!(
                        "{}: capture {k}'s samples (after {} header bytes) do not fit in the data's {len} bytes, or its sample_start goes backwards",
                        meta_path.display(),
                        header(c)
                    ),
                    Some("check core:sample_start and core:header_bytes of the captures against the data file".into()),
                ));
            };
            list.push((pos, bytes));
            pos += bytes;
        }
        samples = Some(i128::from(list.iter().map(|s| s.1).sum::<u64>() / per));
        segments = Some(list);
    }
    let (shape, axes) = match (channels > 1, samples) {
        (true, n) => (
            Some(vec![n.unwrap_or(-1), channels as i128]),
            vec!["sample".into(), "channel".into()],
        ),
        (false, Some(n)) => (Some(vec![n]), vec!["sample".into()]),
        (false, None) => (None, vec!["sample".into()]),
    };
    Ok(Described {
        format: "SigMF",
        described_by: meta_path,
        data,
        dtype,
        shape,
        offset,
        strides: None,
        segments,
        axes,
        facts,
    })
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
