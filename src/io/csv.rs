//! csv of array elements, as `np.savetxt` writes it: for `save x.csv` and
//! for `--format csv` output alike.

use crate::compute::Elements;
use crate::number;
use std::io::{self, Write};

/// A view as csv in the layout `np.savetxt` writes and `np.loadtxt` reads:
/// one line per row (leading axes flattened), values separated by commas,
/// complex as `1.5+2.0j`; record fields fill consecutive columns, named in a
/// `#` comment line.
pub fn write_csv(v: &dyn Elements, w: &mut impl Write) -> io::Result<()> {
    if v.size() == 0 {
        return Ok(());
    }
    let n = v.shape().len();
    if v.has_fields() {
        // One name per column: a row of a 2-D view holds a whole row of
        // records, named `0.a,0.b,1.a,...` as the table names them.
        let mut names = Vec::new();
        number::field_names(&v.elem(&vec![0; n]), "", &mut names);
        if n >= 2 {
            let per_row = v.shape()[n - 1];
            names = (0..per_row)
                .flat_map(|j| names.iter().map(move |f| format!("{j}.{f}")))
                .collect();
        }
        writeln!(w, "# {}", names.join(","))?;
    }
    let mut cells = Vec::new();
    let row_len = if n == 0 { 1 } else { v.shape()[n - 1] };
    let mut k = 0;
    let mut result = Ok(());
    for idx in ndarray::indices(ndarray::IxDyn(v.shape())) {
        let idx = ndarray::Dimension::slice(&idx);
        if result.is_err() {
            break;
        }
        number::exact_cells(&v.elem(idx), &mut cells);
        k += 1;
        if n <= 1 || k % row_len == 0 {
            result = writeln!(w, "{}", cells.join(","));
            cells.clear();
        }
    }
    result
}
