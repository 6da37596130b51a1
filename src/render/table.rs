//! A view as a table (comfy-table): a caption, then rows and columns,
//! summarised as NumPy summarises (both ends of each long axis), 3-D and
//! up as 2-D slabs, fitted to the width by showing fewer columns; and the
//! table builders every other text output uses. Only the elements shown
//! are read.

use crate::compute::Elements;
use crate::eval::Settings;
use crate::number::{self, ElemFormat};
use crate::text::{clip, shape_repr};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use std::io::{self, Write};

/// A table that fits `width` columns, wrapping text inside its cells
/// where the content is wider.
pub(super) fn new_table(width: usize) -> Table {
    let mut t = plain_table();
    fit(&mut t, width);
    t
}

/// A table drawn at its content's width (a view's table, which fits by
/// showing fewer columns instead).
pub(super) fn plain_table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t
}

/// Makes `t` fit `width` columns by wrapping inside its cells.
pub(super) fn fit(t: &mut Table, width: usize) {
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(u16::try_from(width).unwrap_or(u16::MAX));
}

pub(super) fn right_align_from(t: &mut Table, first: usize) {
    for c in t.column_iter_mut().skip(first) {
        c.set_cell_alignment(CellAlignment::Right);
    }
}

/// Rows a table shows at most when the view is not summarised (`set rows`).
pub const TABLE_ROWS: usize = 24;
/// Columns a table shows at most when the view is not summarised (`set cols`).
pub const TABLE_COLS: usize = 10;

/// Which indices of an axis of `len` a table shows: all of them, or the
/// first and last when the view is summarised (`None` marks the gap).
fn shown(len: usize, keep: usize) -> Vec<Option<usize>> {
    if len <= keep {
        return (0..len).map(Some).collect();
    }
    let head = keep.div_ceil(2);
    let tail = keep / 2;
    (0..head)
        .map(Some)
        .chain(std::iter::once(None))
        .chain((len - tail..len).map(Some))
        .collect()
}

/// Prints a view: a caption, then a table (1-D and 2-D) or a sequence of
/// 2-D slabs labelled by their leading indices. Only shown elements are read.
pub fn write_view_table(
    text: &str,
    v: &dyn Elements,
    s: &Settings,
    w: &mut impl Write,
) -> io::Result<()> {
    let n = v.shape().len();
    if n == 0 {
        return writeln!(w, "{}", number::scalar_text(&v.elem(&[]), s.precision));
    }
    let summarise = v.size() > s.threshold;
    let edge = 2 * s.edgeitems;
    // NumPy's rule (more than `threshold` elements: keep `edgeitems` at each
    // end of every axis), and a table's own limit on rows and columns so
    // that a 1000-element vector does not scroll off the screen.
    let (rows, cols) = if summarise {
        (s.rows.unwrap_or(edge), s.cols.unwrap_or(edge))
    } else {
        (s.rows.unwrap_or(TABLE_ROWS), s.cols.unwrap_or(TABLE_COLS))
    };
    let axes_for = |cols: usize| -> Vec<Vec<Option<usize>>> {
        (0..n)
            .map(|k| {
                let keep = if k + 1 == n && n >= 2 {
                    cols
                } else if (n >= 2 && k + 2 == n) || n == 1 {
                    rows
                } else if summarise {
                    edge
                } else {
                    usize::MAX
                };
                shown(v.shape()[k], keep)
            })
            .collect()
    };
    // Sub-column names of one element (record fields), from the first element.
    let mut fields = Vec::new();
    if v.size() > 0 {
        number::field_names(&v.elem(&vec![0; n]), "", &mut fields);
    }
    // Fewer columns until the widest table fits the width (NumPy's
    // `linewidth` keeps lines short the same way); one column that still
    // does not fit wraps inside its cells.
    let format = array_format(v, summarise, s);
    let mut axes = axes_for(cols);
    let mut slabs = view_slabs(v, &axes, &fields, &format);
    loop {
        let shown_cols = axes[n - 1].iter().flatten().count();
        let widest = slabs.iter().map(|(_, t)| table_columns(t)).max();
        if n == 1 || shown_cols <= 1 || widest.is_none_or(|w| w <= s.width) {
            break;
        }
        axes = axes_for(shown_cols - 1);
        slabs = view_slabs(v, &axes, &fields, &format);
    }
    let elided = axes.iter().any(|a| a.contains(&None));
    let shown_count: Vec<usize> = axes.iter().map(|a| a.iter().flatten().count()).collect();
    let mut caption = format!(
        "{text}: shape {}, dtype {}, {}",
        shape_repr(v.shape()),
        clip(&v.dtype_text()),
        v.origin()
    );
    if elided {
        let dims: Vec<String> = shown_count.iter().map(|c| c.to_string()).collect();
        caption.push_str(&format!(
            "; showing {} of {} elements",
            dims.join("x"),
            v.size()
        ));
    }
    writeln!(w, "{caption}")?;
    if v.size() == 0 {
        return writeln!(w, "(empty)");
    }
    for (k, (label, mut t)) in slabs.into_iter().enumerate() {
        if n > 2 && k > 0 {
            writeln!(w)?;
        }
        match label {
            Some(label) => writeln!(w, "{label}")?,
            None if n > 2 => {
                // A gap in a leading axis: say so once per gap.
                writeln!(w, "…")?;
                continue;
            }
            None => {}
        }
        if table_columns(&t) > s.width {
            fit(&mut t, s.width);
        }
        writeln!(w, "{t}")?;
    }
    Ok(())
}

/// Elements NumPy's format is decided from at most: past them (a view
/// not summarised because `set threshold` was raised) it is decided from
/// the elements a summary would keep.
const FORMAT_SAMPLE: usize = 1 << 16;

/// The format NumPy gives the view's elements (the same for every table
/// cell, so that the points line up), decided from the elements NumPy
/// decides it from: all of them, or when it summarises, `edgeitems` at
/// each end of every axis, whatever number of them the table shows.
fn array_format(v: &dyn Elements, summarise: bool, s: &Settings) -> ElemFormat {
    let edges =
        |len: usize| -> Vec<usize> { shown(len, 2 * s.edgeitems).into_iter().flatten().collect() };
    // All the elements only when they are few (never a list of every
    // index of a long axis).
    let whole = v.size() <= FORMAT_SAMPLE && !summarise;
    let axes: Vec<Vec<usize>> = if whole {
        v.shape().iter().map(|&len| (0..len).collect()).collect()
    } else {
        v.shape().iter().map(|&len| edges(len)).collect()
    };
    let mut elems = Vec::new();
    let mut idx = vec![0; axes.len()];
    let mut at = vec![0; axes.len()];
    if axes.iter().any(Vec::is_empty) {
        return ElemFormat::Alone;
    }
    loop {
        for (k, a) in axes.iter().enumerate() {
            idx[k] = a[at[k]];
        }
        elems.push(v.elem(&idx));
        // The next index in C order, or the end.
        let mut k = axes.len();
        loop {
            if k == 0 {
                return ElemFormat::of(&elems, s.precision);
            }
            k -= 1;
            at[k] += 1;
            if at[k] < axes[k].len() {
                break;
            }
            at[k] = 0;
        }
    }
}

/// The tables of a view's shown elements: one for a 1-D or 2-D view, one
/// per shown 2-D slab of a higher one, each with its label (`[0, :, :]`;
/// `None` for a gap in a leading axis, which has no table worth showing).
fn view_slabs(
    v: &dyn Elements,
    axes: &[Vec<Option<usize>>],
    fields: &[String],
    format: &ElemFormat,
) -> Vec<(Option<String>, Table)> {
    let n = axes.len();
    if v.size() == 0 {
        return Vec::new();
    }
    if n == 1 {
        let mut t = plain_table();
        let mut header = vec![String::new()];
        if fields.is_empty() {
            header.push(String::from("value"));
        } else {
            header.extend(fields.iter().cloned());
        }
        t.set_header(header);
        for i in &axes[0] {
            t.add_row(row_cells(v, &[], *i, None, fields, format));
        }
        right_align_from(&mut t, 0);
        return vec![(None, t)];
    }
    let mut combos: Vec<Vec<Option<usize>>> = vec![vec![]];
    for a in &axes[..n - 2] {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                a.iter().map(move |i| {
                    let mut c = c.clone();
                    c.push(*i);
                    c
                })
            })
            .collect();
    }
    let mut slabs = Vec::new();
    for combo in combos {
        let mut t = plain_table();
        if combo.iter().any(Option::is_none) {
            slabs.push((None, t));
            continue;
        }
        let label = (n > 2).then(|| {
            let lead: Vec<String> = combo.iter().flatten().map(|i| i.to_string()).collect();
            format!("[{}, :, :]", lead.join(", "))
        });
        let lead_idx: Vec<usize> = combo.iter().flatten().copied().collect();
        let mut header = vec![String::new()];
        for j in &axes[n - 1] {
            match j {
                None => header.push("…".into()),
                Some(j) if fields.is_empty() => header.push(j.to_string()),
                Some(j) => header.extend(fields.iter().map(|f| format!("{j}.{f}"))),
            }
        }
        t.set_header(header);
        for i in &axes[n - 2] {
            t.add_row(row_cells(
                v,
                &lead_idx,
                *i,
                Some(&axes[n - 1]),
                fields,
                format,
            ));
        }
        right_align_from(&mut t, 0);
        slabs.push((label, t));
    }
    slabs
}

/// The columns of the widest line of a table as drawn.
pub(super) fn table_columns(t: &Table) -> usize {
    t.lines()
        .map(|l| crate::text::columns(&l))
        .max()
        .unwrap_or(0)
}

/// One table row: the row label, then each shown column's cells (`cols`
/// is `None` for a 1-D view, whose rows are single elements).
fn row_cells(
    v: &dyn Elements,
    lead: &[usize],
    row: Option<usize>,
    cols: Option<&[Option<usize>]>,
    fields: &[String],
    format: &ElemFormat,
) -> Vec<String> {
    let width = fields.len().max(1);
    let mut cells = vec![row.map_or_else(|| "…".to_string(), |r| r.to_string())];
    let single = [Some(0)];
    for col in cols.unwrap_or(&single) {
        match (row, col) {
            (Some(r), Some(c)) => {
                let mut idx = lead.to_vec();
                idx.push(r);
                if cols.is_some() {
                    idx.push(*c);
                }
                format.cells(&v.elem(&idx), true, &mut cells);
            }
            (_, None) => cells.push("…".into()),
            (None, Some(_)) => cells.extend(std::iter::repeat_n("…".to_string(), width)),
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarised_axes_keep_both_ends() {
        assert_eq!(
            shown(10, 6),
            [Some(0), Some(1), Some(2), None, Some(7), Some(8), Some(9)]
        );
        assert_eq!(shown(6, 6).len(), 6);
        assert_eq!(shown(10, 5).iter().flatten().count(), 5);
    }
}
