//! Text of `explain` and `bytes`: the steps table, the byte footprint, the
//! NumPy code, the selection map, and the dump.

use crate::eval::dump::Dump;
use crate::eval::explain::{Explanation, StepKind};
use crate::number;
use crate::number::human_bytes;
use comfy_table::Table;
use std::io::{self, Write};

/// Strides in elements, where each is a whole number of elements.
fn element_strides(strides: &[isize], itemsize: usize) -> String {
    let parts: Vec<String> = strides
        .iter()
        .map(|&s| {
            if itemsize > 0 && s % itemsize as isize == 0 {
                (s / itemsize as isize).to_string()
            } else {
                format!("{s}/{itemsize}")
            }
        })
        .collect();
    crate::text::tuple_repr(&parts)
}

/// The steps of an explanation, one row each; `full` adds the strides in
/// items and the item size, and NumPy's allocation to the kind.
fn explain_table(x: &Explanation, full: bool) -> Table {
    let mut t = super::plain_table();
    let mut header = vec!["step", "shape", "strides\n(bytes)"];
    if full {
        header.push("strides\n(items)");
    }
    header.extend(["offset"]);
    if full {
        header.push("item\nsize");
    }
    header.extend(["dtype", "contig-\nuous", "kind"]);
    t.set_header(header);
    for s in &x.steps {
        let kind = match s.what {
            StepKind::View => "view".to_string(),
            StepKind::Copy(b) => format!("copy, {}", human_bytes(b)),
            StepKind::Computed(b) if full => format!("computed ({} in NumPy)", human_bytes(b)),
            StepKind::Computed(_) => "computed".into(),
            StepKind::Value => "value".into(),
        };
        let view = s.what == StepKind::View;
        let mut row = vec![
            s.expr.clone(),
            if s.what == StepKind::Value {
                String::new()
            } else {
                crate::text::tuple_repr(&s.shape)
            },
            if view {
                crate::text::tuple_repr(&s.strides)
            } else {
                String::new()
            },
        ];
        if full {
            row.push(if view {
                element_strides(&s.strides, s.itemsize)
            } else {
                String::new()
            });
        }
        row.push(s.offset.map_or(String::new(), |o| o.to_string()));
        if full {
            row.push(if s.itemsize > 0 {
                s.itemsize.to_string()
            } else {
                String::new()
            });
        }
        row.extend([s.dtype.clone(), s.contiguity.to_string(), kind]);
        t.add_row(row);
    }
    t
}

pub fn write_explain(x: &Explanation, width: usize, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "explain {}", x.text)?;
    // The whole table when it fits; else without the columns that follow
    // from the others (strides in items = bytes / item size), and with
    // the kind short (the notes below say what NumPy allocates).
    let mut t = explain_table(x, true);
    if super::table_columns(&t) > width {
        t = explain_table(x, false);
    }
    if super::table_columns(&t) > width {
        super::fit(&mut t, width);
    }
    writeln!(w, "{t}")?;
    for s in &x.steps {
        for why in &s.why {
            writeln!(w, "  {:<12} {why}", s.expr)?;
        }
    }
    if let Some(p) = &x.plan {
        write_plan(p, w)?;
    }
    if let Some(f) = &x.footprint {
        writeln!(w)?;
        let spanned = f.high - f.low;
        if f.used == 0 {
            writeln!(w, "bytes: none (the view is empty)")?;
        } else {
            writeln!(
                w,
                "bytes: first {}, last {}; spans {} and uses {} of them ({})",
                f.low,
                f.high - 1,
                human_bytes(spanned),
                human_bytes(f.used),
                if spanned == f.used {
                    "every byte it spans".to_string()
                } else {
                    let r = spanned as f64 / f.used as f64;
                    if r < 100.0 {
                        format!("read amplification {r:.2}x")
                    } else {
                        format!("read amplification {r:.3e}x")
                    }
                }
            )?;
        }
        if let Some((files, mapped)) = f.dataset {
            writeln!(
                w,
                "dataset: {} ({}) in {files} files, {mapped} of them mapped now, each once{}",
                f.file,
                human_bytes(f.file_len),
                match f.sharing.len() {
                    0 => String::new(),
                    1 => format!("; viewed by {}", f.sharing[0]),
                    _ => format!("; shared by the views {}", f.sharing.join(", ")),
                }
            )?;
            writeln!(w, "files touched: {} of {files}", f.files.len())?;
            const SHOWN: usize = 8;
            for s in f.files.iter().take(SHOWN) {
                writeln!(
                    w,
                    "  {}: bytes {} to {}, uses {}",
                    s.path,
                    s.first,
                    s.last,
                    human_bytes(s.used)
                )?;
            }
            if f.files.len() > SHOWN {
                writeln!(w, "  ... and {} more files", f.files.len() - SHOWN)?;
            }
        } else {
            let resident = match f.resident {
                Some(r) => format!("{r} of them in memory now"),
                None => "read into memory, not mapped".into(),
            };
            writeln!(
                w,
                "pages: {} of {} touched; {resident}",
                f.pages,
                human_bytes(f.page_size as u64)
            )?;
        }
        if f.dataset.is_some() {
        } else if f.file.starts_with("copy of ") {
            writeln!(
                w,
                "memory: a {} ({}) held by strided",
                f.file,
                human_bytes(f.file_len)
            )?;
        } else {
            writeln!(
                w,
                "mapping: {} ({}), mapped once{}",
                f.file,
                human_bytes(f.file_len),
                match f.sharing.len() {
                    0 => String::new(),
                    1 => format!(", viewed by {}", f.sharing[0]),
                    _ => format!(", shared by the views {}", f.sharing.join(", ")),
                }
            )?;
        }
        writeln!(w, "writes: {}", f.writes)?;
    }
    if !x.numpy.is_empty() {
        writeln!(w, "\nNumPy:")?;
        for line in &x.numpy {
            writeln!(w, "  {line}")?;
        }
    }
    if let Some(m) = &x.map {
        writeln!(w)?;
        let shape = crate::text::tuple_repr(&m.parent_shape);
        let scale = if m.cell == (1, 1) {
            "one cell per element".to_string()
        } else if m.parent_shape.len() == 1 {
            format!("one cell per {} elements", m.cell.1)
        } else {
            format!("one cell per {}x{} elements", m.cell.0, m.cell.1)
        };
        writeln!(
            w,
            "selected cells of {} {shape} ({scale}; █ all selected, ▒ some, · none{}):",
            m.parent,
            if m.sampled { "; sampled" } else { "" }
        )?;
        for r in 0..m.rows {
            let line: String = (0..m.cols)
                .map(|c| match m.cells[r * m.cols + c] {
                    2 => '█',
                    1 => '▒',
                    _ => '·',
                })
                .collect();
            writeln!(w, "  {line}")?;
        }
    }
    Ok(())
}

pub fn write_dump(d: &Dump, precision: usize, w: &mut impl Write) -> io::Result<()> {
    let names: Vec<&str> = d.parts.iter().map(|p| p.name.as_str()).collect();
    writeln!(
        w,
        "bytes of {}: dtype {}, {} bytes an element{}",
        d.text,
        d.dtype,
        d.itemsize,
        if names.iter().any(|n| !n.is_empty()) {
            format!(
                " ({})",
                d.parts
                    .iter()
                    .map(|p| format!("{} at +{}: {}", p.name, p.offset, p.dtype.short()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        }
    )?;
    let idx_w = d
        .rows
        .iter()
        .map(|r| crate::text::tuple_repr(&r.index).len())
        .max()
        .unwrap_or(0);
    let off_w = d
        .rows
        .iter()
        .map(|r| format!("{:x}", r.offset).len())
        .max()
        .unwrap_or(1)
        .max(8);
    let file_w = d
        .rows
        .iter()
        .map(|r| r.file.as_ref().map_or(0, |f| f.chars().count() + 1))
        .max()
        .unwrap_or(0);
    for r in &d.rows {
        // Hex bytes, a `|` between parts, `..` groups for padding.
        let mut hex = String::new();
        let mut at = 0;
        for p in &d.parts {
            if p.offset > at {
                hex.push_str(&group(&r.bytes[at..p.offset]));
                hex.push_str(" ¦ ");
            }
            hex.push_str(&group(&r.bytes[p.offset..p.offset + p.size]));
            hex.push_str(" | ");
            at = p.offset + p.size;
        }
        if at < r.bytes.len() {
            hex.push_str(&group(&r.bytes[at..]));
            hex.push_str(" ¦ ");
        }
        let hex = hex.trim_end_matches([' ', '|', '¦']).to_string();
        let values: Vec<String> = d
            .parts
            .iter()
            .zip(&r.values)
            .map(|(p, v)| {
                let v = number::repr_text(v, precision);
                if p.name.is_empty() {
                    v
                } else {
                    format!("{}={v}", p.name)
                }
            })
            .collect();
        let index = if r.index.is_empty() {
            "()".to_string()
        } else {
            crate::text::tuple_repr(&r.index)
        };
        let file = r.file.as_ref().map_or(String::new(), |f| format!("{f}:"));
        writeln!(
            w,
            "{index:<idx_w$}  {file:>file_w$}{:0off_w$x}  {hex}   {}",
            r.offset,
            values.join("  ")
        )?;
    }
    if d.more > 0 {
        writeln!(w, "({} more elements not shown)", d.more)?;
    }
    Ok(())
}

fn group(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The engine's plan for a computation.
fn write_plan(p: &crate::compute::plan::Plan, w: &mut impl Write) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "plan: {}", p.goal)?;
    writeln!(w, "  walk     {}", p.walk)?;
    writeln!(
        w,
        "  blocks   of up to {} elements; {} on {}",
        p.block,
        if p.chunks == 1 {
            "one chunk".to_string()
        } else {
            format!("{} chunks merged in order", p.chunks)
        },
        if p.threads == 1 {
            "1 thread".to_string()
        } else {
            format!("{} threads", p.threads)
        }
    )?;
    writeln!(w, "  compute  {}", p.lanes)?;
    for r in &p.reads {
        if let Some(g) = &r.gathered {
            writeln!(
                w,
                "  reads    {}: shape {}, the elements advanced indexing picks (shape {}): {} within the {} it spans",
                r.file,
                crate::text::tuple_repr(&r.shape),
                crate::text::tuple_repr(g),
                human_bytes(r.used),
                human_bytes(r.spanned),
            )?;
            continue;
        }
        let amplification = if r.used == 0 {
            String::new()
        } else {
            format!(
                " (read amplification {:.2}x)",
                r.spanned as f64 / r.used as f64
            )
        };
        writeln!(
            w,
            "  reads    {}: shape {}, {} of the {} it spans{amplification}",
            r.file,
            crate::text::tuple_repr(&r.shape),
            human_bytes(r.used),
            human_bytes(r.spanned),
        )?;
    }
    writeln!(
        w,
        "  holds    at most {} at once (block buffers, accumulators, masks, the result)",
        human_bytes(p.held)
    )?;
    let total: u64 = p.numpy.iter().map(|(_, b)| b).sum();
    if p.numpy.is_empty() {
        writeln!(w, "  NumPy    allocates nothing: the expression is a view")?;
    } else {
        let parts: Vec<String> = p
            .numpy
            .iter()
            .map(|(what, b)| format!("{what} {}", human_bytes(*b)))
            .collect();
        writeln!(
            w,
            "  NumPy    allocates {} in all: {}",
            human_bytes(total),
            parts.join(", ")
        )?;
    }
    Ok(())
}
