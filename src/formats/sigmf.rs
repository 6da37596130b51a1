//! SigMF recordings: `x.sigmf-meta` (JSON) describes `x.sigmf-data`.
//! `core:datatype` gives the dtype (`cf32_le`, `ci16_le`, `ru8`, ...),
//! `core:num_channels` interleaved channels a second axis, the first
//! capture's `core:header_bytes` the offset; sample rate, frequency,
//! times and annotations are kept for `info`.

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
    let meta: Value = serde_json::from_str(&text).map_err(|e| {
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
    let offset = captures.first().map_or(0, header);
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
    if captures.iter().skip(1).any(|c| header(c) > 0) {
        fact(
            "note",
            Some(Field::str(
                "later captures have header bytes inside the data: the view runs over them",
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
    let (shape, axes) = if channels > 1 {
        (
            Some(vec![-1, channels as i128]),
            vec!["sample".into(), "channel".into()],
        )
    } else {
        (None, vec!["sample".into()])
    };
    Ok(Described {
        format: "SigMF",
        described_by: meta_path,
        data,
        dtype,
        shape,
        offset,
        strides: None,
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
