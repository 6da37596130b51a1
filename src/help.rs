//! The text of `help` and its topics.

/// Topic names `help TOPIC` accepts.
pub const TOPICS: &[&str] = &[
    "open", "slicing", "compute", "stats", "save", "set", "formats",
];

/// The help text for `topic` (`None` for the overview).
pub fn topic(topic: Option<&str>) -> Option<&'static str> {
    Some(match topic {
        None => OVERVIEW,
        Some("open") => OPEN,
        Some("slicing") | Some("indexing") => SLICING,
        Some("save") => SAVE,
        Some("compute") | Some("functions") | Some("reductions") => COMPUTE,
        Some("stats") | Some("hist") => STATS,
        Some("set") => SET,
        Some("formats") | Some("format") => FORMATS,
        Some(_) => return None,
    })
}

const OVERVIEW: &str = "\
strided: look inside raw binary files through one memory mapping and NumPy's slicing.

  open f.bin 100x100          map f.bin as a 100x100 complex64 view named d
  d.r[50:, 50:]               print the bottom-right quadrant of the real parts
  q = d[:50, :50]             name a view (no copy)
  save q.i q.npy              write a view as .npy, .csv or .bin
  vars / files                list names / mapped files
  mean(abs(d))                compute: one pass, no temporary arrays
  stats d.r                   count, NaN, inf, min, max, mean, std in one pass
  hist db(d) bins=40          a histogram in the terminal
  set precision 4             change how results print
  close q                     drop a name

Statements are separated by newlines or `;`; `#` starts a comment.
Help topics: open, slicing, compute, stats, save, set, formats.
";

const OPEN: &str = "\
open PATH [SHAPE] [DTYPE] [offset=N] [order=C|F] [as NAME]

  SHAPE   100x100, (100, 100), -1x100 (one -1 is inferred), or none: 1-D
  DTYPE   <f4 >i2 u1 c8 complex64 ..., NumPy's list [(\"r\", \"<f4\"), (\"i\", \"<f4\")],
          or a record {r: <f4, i: <f4}; without one, c8 (complex64) is assumed
  offset= bytes to skip: offset=4096 or offset=(50*100*8)
  as NAME the name to bind (default d)

A .npy file opens from its own header. Every open of the same file shares
one read-only mapping; nothing is ever written to it.
";

const SLICING: &str = "\
Indexing follows NumPy's basic indexing; every result is a view (no copy).

  d[5]  d[-1]        an integer picks one position and drops the axis
  d[2:8:2]  d[::-1]  start:stop:step, any part optional; a negative step reverses
  d[..., 0]          ... stands for all the axes not named
  d[:, None]         None adds an axis of length 1
  d.r  d['r']        a field of a record (or .real/.imag, .r/.i of complex)
  d.T                axes reversed
  d.shape d.strides d.dtype d.ndim d.size d.nbytes
";

const COMPUTE: &str = "\
Arithmetic and functions follow NumPy (broadcasting, result dtypes, float32
rounding, integer wrap-around). Results are computed lazily: printing shows
only what fits, and a reduction streams through the file once.

  d.r * 2 + 1   d.r > 0   (d.r > 0) & (d.i < 0)   -d   d.r // 3   d.r ** 2
  abs angle sqrt exp log log10 db conj real imag isnan isfinite
  clip(x, lo, hi)   where(cond, x, y)
  sum mean std var min max argmin argmax any all count_nonzero
  nansum nanmean nanstd nanvar nanmin nanmax
  mean(x)  x.mean()  x.mean(axis=0)  x.std(axis=(0, 1), ddof=1)

Sums, means and deviations accumulate in float64 (compensated), and float
ones return float64. argmin/argmax of an n-d array give the n-d index.
";

const STATS: &str = "\
stats EXPR                               one pass, all cores
hist EXPR [bins=N] [range=LO,HI]         counts per bin, drawn with bars

stats shows count, NaN, +inf/-inf, min and max (with where they are), and
the mean and standard deviation of the finite values. For complex data both
describe the magnitude |x|; pick a part (d.r, d.i) for the parts.
Without range=, hist makes a first pass to find the range.
";

const SAVE: &str = "\
save EXPR PATH

  .npy   NumPy's format, np.load gives the same dtype, shape and values
  .csv   one line per row, as np.savetxt writes (complex as 1.5+2.0j)
  .bin   the raw bytes of the elements in C order

The file is written to a temporary name and renamed into place when done.
";

const SET: &str = "\
set NAME VALUE   (set alone lists the settings)

  precision N   digits after the point in tables (default 8)
  threshold N   summarise views with more elements (default 1000)
  edgeitems N   items kept at each end of a summarised axis (default 3)
  rows N        rows a table shows at most (default 24; 6 when summarised)
  cols N        columns a table shows at most (default 10; 6 when summarised)
  format F      table, csv or json
";

const FORMATS: &str = "\
Output formats (set format F, or --format F):

  table  captions and tables; big views are summarised, reading only what shows
  csv    every element, one line per row; notes go to stderr
  json   one JSON object per result: expr, shape, dtype, file, offset, strides, data
         (complex as [re, im], records as objects, nan/inf as strings)
";
