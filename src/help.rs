//! The text of `help` and its topics. Each topic is data: a head, examples
//! (a statement and what it shows) and a tail, so that the test suite can
//! run every example (`tests/help.rs`): an example that stops working
//! fails a test. Examples run in order in one session that has opened a
//! 100x100 complex64 file `f.bin` as `d`.

/// One help topic.
pub struct Topic {
    /// The names `help NAME` accepts; the first is the one listed.
    pub names: &'static [&'static str],
    pub head: &'static str,
    /// Statements and what they do; each runs in the test suite.
    pub examples: &'static [(&'static str, &'static str)],
    pub tail: &'static str,
}

impl Topic {
    /// The topic as printed: head, aligned examples, tail; one screen.
    pub fn text(&self) -> String {
        let mut out = String::from(self.head);
        if !self.examples.is_empty() {
            out.push('\n');
            let w = self
                .examples
                .iter()
                .map(|(c, _)| c.chars().count())
                .max()
                .unwrap_or(0);
            for (code, what) in self.examples {
                out.push_str(&format!("  {code:<w$}   {what}\n"));
            }
        }
        if !self.tail.is_empty() {
            out.push('\n');
            out.push_str(self.tail);
        }
        out
    }
}

/// Every topic, the overview first.
pub const TOPICS: &[Topic] = &[
    Topic {
        names: &["overview"],
        head: "strided: look inside raw binary files through one memory mapping and NumPy's slicing.\n",
        examples: &[
            ("open f.bin 100x100", "map f.bin as a 100x100 complex64 view named d"),
            ("d.r[50:, 50:]", "the bottom-right quadrant of the real parts (a view)"),
            ("q = d[:50, :50]", "name a view (no copy)"),
            ("explain q.i", "how that view lies over the file's bytes"),
            ("mean(abs(d))", "compute: one pass, no temporary arrays"),
            ("stats d.r", "count, NaN, inf, min, max, mean, std in one pass"),
            ("image abs(d)", "a picture in the terminal (or `to x.png`)"),
            ("save q.i q.npy", "write a view as .npy, .csv or .bin"),
            ("info d", "dtype, fields, strides, contiguity, alignment, format"),
            ("vars; files", "list names; list mapped files"),
            ("close q", "drop a name"),
        ],
        tail: "Statements are separated by newlines or `;`; `#` starts a comment.\n\
Help topics: open, guess, slicing, advanced, writes, compute, stats, psd, explain,\n\
pictures, files, datasets, save, set, formats, functions (and `help NAME` for any function, e.g.\n\
`help mean`).\n",
    },
    Topic {
        names: &["open"],
        head: concat!(
            "open PATH [SHAPE] [DTYPE] [offset=N] [order=C|F] [mode=r|c|r+] [as NAME]\n\n",
            "  SHAPE   100x100, (100, 100), -1x100 (one -1 is inferred), or none: 1-D\n",
            "  DTYPE   <f4 >i2 u1 c8 complex64 ..., NumPy's list [(\"r\", \"<f4\"), (\"i\", \"<f4\")]\n",
            "          (sub-arrays too: (\"iq\", \"<c8\", (256,)); strings S10, <U8), or a record\n",
            "          {r: <f4, i: <f4}; without one, c8 (complex64) is assumed\n",
            "  offset= bytes to skip: offset=4096 or offset=(50*100*8)\n",
            "  mode=   r (read-only, the default), c (writes change this session's\n",
            "          copy of the pages), r+ (writes reach the file): NumPy's memmap modes\n",
            "  as NAME the name to bind (default d)\n",
        ),
        examples: &[
            ("open f.bin 100x100", "complex64, the default"),
            ("open f.bin (100, 200) >f4 as be", "the same bytes as big-endian floats"),
            ("open f.bin 50x100 offset=(50*100*8) as lower", "from row 50 on"),
            ("open f.bin -1x100 {r: <f4, i: <f4} as rec", "records; -1 is inferred"),
            ("open f.bin 100x100 order=F as t", "column-major"),
            ("open f.bin -1x100 ci16 as iq", "SDR names: cf32 ci16 cu8 rf32 ..._le/_be"),
        ],
        tail: "A .npy file opens from its own header; .cfile .cf32 .cs16 .cs8 .cu8 imply\n\
their SDR type. Every open of the same file shares one read-only mapping;\n\
nothing is written to it unless it was opened with mode=r+ (`help writes`).\n\
`close NAME` drops a name. Layout unknown? `help guess`.\n",
    },
    Topic {
        names: &["guess"],
        head: "guess PATH          the most plausible layouts of a file with no header\n\
open PATH guess     open it as the first of them (and say so)\n",
        examples: &[
            ("guess f.bin", "dtype, byte order, complex or real, header, rows"),
            ("open f.bin guess as g", "the first candidate; `info g` shows it"),
        ],
        tail: "guess reads about 1.3 MiB spread over the file, whatever its size. Each\n\
layout comes with its open line, a score relative to the best, and the evidence:\n\
floats that are finite and cluster in magnitude, neighbours that resemble\n\
each other only in the right dtype and byte order, I/Q pairs in quadrature,\n\
a byte pattern repeating with the element's size, rows whose vertical\n\
neighbours match, leading bytes that are text or do not fit (a header),\n\
complex samples in two planes (all I, then all Q: open as 2xN, then\n\
d[0] + 1j*d[1]) whose pairs put each tone on one side of the spectrum,\n\
interleaved channels (each value like the one 3 to 8 before: rows of them).\n\
It tries u1 i1 u2 i2 u4 i4 u8 i8 f2 f4 f8 and cu8 ci8 ci16 c8 c16 in both\n\
byte orders at every alignment; where both signednesses read the same\n\
numbers (no value with its top bit set) it says so.\n\
Formats with a signature (.npy, zip, TIFF, HDF5, FITS, ...) and text are\n\
named instead. When the first two are close it says what tells them apart\n\
(byte order, signedness, integer or float, complex or real, rows, header).\n\
A description beside the file (f.sigmf-meta, f.hdr) is named first and wins:\n\
open PATH guess opens through it. A conventional extension (.cf32, .cs16,\n\
.cu8, ...) is named, with whether the evidence agrees.\n",
    },
    Topic {
        names: &["slicing", "indexing"],
        head: "Indexing follows NumPy's basic indexing; every result is a view (no copy).\n",
        examples: &[
            ("d[5]", "an integer picks one position and drops the axis"),
            ("d[2:8:2, ::-1]", "start:stop:step; a negative step walks backward"),
            ("d[..., 0]", "... stands for all the axes not named"),
            ("d[:3, None].shape", "None adds an axis of length 1"),
            ("d.r[0, :4]", "a part of complex data (.r .i .real .imag)"),
            ("d.T.strides", "axes reversed: the strides swap"),
            ("d.r[3, 4]", "one element: a NumPy scalar (a copy, as in NumPy)"),
        ],
        tail: "Attributes: shape strides dtype ndim size nbytes itemsize. Fields of\n\
records: d.name or d['name']. `explain EXPR` shows how any view is built.\n",
    },
    Topic {
        names: &["writes", "assignment", "mode", "flush"],
        head: "Writes, as NumPy's memmap modes and item assignment make them. Files open\n\
read-only; mode=c writes into this session's copy of the pages (the file\n\
never changes), mode=r+ into the file itself.\n",
        examples: &[
            ("open f.bin 100x100 mode=c as w", "copy-on-write: as np.memmap(..., mode='c')"),
            ("w[0, :3] = 7", "basic indexing: the value broadcasts, is cast as NumPy casts"),
            ("v = w[::2]; v[0, 0] = -1", "a write through a view shows in w..."),
            ("c = w.copy(); c[0] = 0", "...a write into a copy does not"),
            ("w.r[[1, 2], [3, 4]] = [5, 6]", "integer arrays: those elements"),
            ("w.r[w.r > 2] = 2", "a boolean mask"),
            ("w.i *= 2", "in-place operators: += -= *= /= //= %= **= &= |= ^="),
            ("explain w[1:]", "where a write through a view would go"),
            ("flush", "a mode=r+ file's changes synced to disk (msync)"),
        ],
        tail: "NumPy's rules and errors: Python numbers convert as Python converts them\n\
(300 into uint8, NaN into integers and complex into floats are errors);\n\
arrays cast unsafely; `x += 1.5` on integers is refused (same_kind); one\n\
element (`x[0, 1] = v`) takes only a scalar. A value that views the array\n\
being written is read whole first (NumPy's boolean-mask assignment reads it\n\
while writing). A computed name that reads the bytes a write changes is\n\
computed into memory first, keeping the values NumPy gave it. An assignment\n\
that fails writes nothing (NumPy may leave the elements before a string it\n\
cannot encode written). Nothing else writes a file: `save` and `export`\n\
still refuse any file a view reads.\n",
    },
    Topic {
        names: &["advanced", "copies", "reshape", "fancy", "masks"],
        head: "Advanced indexing and reinterpreting bytes, as NumPy does them:\n",
        examples: &[
            ("d.r[[0, 5, -1], :3]", "integer arrays: a copy, held in memory"),
            ("d[[0, 1], [2, 3]]", "arrays broadcast together: elements (0,2) and (1,3)"),
            ("d.r[0, d.i[0] > 0]", "a boolean mask over some of the axes"),
            ("m = d.r[d.r > 1.5]", "a mask of the array's own shape: streamed, not stored"),
            ("stats m", "...so a reduction reads the file once and holds no copy"),
            ("d.reshape(50, 200).shape", "a view when the strides allow it, else a copy"),
            ("d.T.ravel().strides", "ravel copies a non-contiguous array, as NumPy does"),
            ("d.view('<f4').shape", "the same bytes as float32: the last axis doubles"),
            ("d.r.astype('<f8')[0, :2]", "a cast; also transpose(axes), swapaxes, byteswap()"),
            ("set memory 1GiB", "copies bigger than this are refused before allocating"),
        ],
        tail: "Captions, vars and explain say which results are copies and how big. A list\n\
of fields of a record, rec[['a', 'c']], is a view (NumPy >= 1.16).\n",
    },
    Topic {
        names: &["compute", "reductions"],
        head: "Arithmetic and functions follow NumPy (broadcasting, result dtypes, float32\n\
rounding, integer wrap-around). Results are lazy: printing shows only what\n\
fits, and a reduction streams through the file once, on every core.\n",
        examples: &[
            ("d.r[0, :3] * 2 + 1", "arithmetic: + - * / // % ** and comparisons"),
            ("((d.r > 0) & (d.i < 0))[0, :3]", "logic: & | ~"),
            ("db(d)[0, :3]", "abs angle sqrt exp log log10 db conj real imag isnan isfinite"),
            ("clip(d.r, -1, 1)[0, :3]", "clip(x, lo, hi), where(cond, x, y)"),
            ("mean(abs(d))", "sum mean std var min max argmin argmax any all count_nonzero"),
            ("d.r.std(axis=0)[:3]", "axis= (an int or a tuple), ddof="),
            ("nanmax(d.i)", "nansum nanmean nanstd nanvar nanmin nanmax skip NaN"),
            ("np.mean(d.r, axis=0)[:3]", "np. and numpy. are allowed; print(x), len(x), exit"),
        ],
        tail: "Sums, means and deviations accumulate in float64 (compensated) and come back\n\
in NumPy's dtype (float32 in, float32 out). argmin and argmax without axis=\n\
give the flat index; unravel_index(i, x.shape) the n-d one. Ctrl-C stops a\n\
long computation.\n",
    },
    Topic {
        names: &["stats", "hist"],
        head: "stats EXPR                               one pass, all cores\n\
hist EXPR [bins=N] [range=LO,HI] [to F.png]   counts per bin, drawn with bars\n",
        examples: &[
            ("stats d.r", "count, NaN, ±inf, min, max and where, mean, std, quartiles"),
            ("percentile(d.r, [1, 50, 99])", "exact, any size: median percentile quantile (nan-)"),
            ("stats d", "complex data: the statistics of the magnitude |x|"),
            ("hist d.r bins=8", "a histogram in the terminal"),
            ("hist db(d) bins=5 range=-40,10", "a fixed range; values outside are counted apart"),
        ],
        tail: "Without range=, hist makes a first pass to find the range; range=(LO, HI),\n\
as NumPy spells it, is the same as range=LO,HI. `set format json`\n\
prints stats as one object: count nan inf min argmin max argmax mean std p25\n\
median p75. The quartiles (of all values but NaN) come with stats up to 16 Mi\n\
elements; above, percentile(x, [25, 50, 75]) finds them in two more passes.\n",
    },
    Topic {
        names: &["psd", "specgram", "spectra", "fft", "welch", "spectrogram"],
        head: "psd EXPR [fs=] [nperseg=] [noverlap=] [nfft=] [window=] [scaling=] [to F.png]\n\
     Welch's power spectral density of a 1-D view of any size: peaks, noise\n\
     floor, total power and the spectrum in dB\n\
specgram EXPR [spectrogram's arguments] [cmap=] [reduce=mean|max]\n\
     [range=LO,HI] [to F.png]\n\
     a waterfall of a 1-D view of any size: time down, frequency across, dB\n",
        examples: &[
            ("psd d[0] nperseg=32 window=hamming", "streamed over the view, drawn in dB"),
            ("specgram d.ravel() nperseg=64", "streamed; cells of many segments averaged"),
            ("explain psd d.ravel() nperseg=64", "how the segments are walked"),
            ("welch(d[0], nperseg=32)[1]", "(f, Pxx) as scipy.signal.welch returns them"),
            ("abs(fft(d[0, :8]))", "numpy.fft: fft ifft rfft irfft fftfreq fftshift"),
            ("rfft2(d.r[:4, :4]).shape", "fft2 ifft2 fftn ifftn rfft2 irfft2 rfftn irfftn"),
            ("spectrogram(d.ravel(), nperseg=64)[2].shape", "(f, t, Sxx) as SciPy's"),
        ],
        tail: "Results match NumPy and SciPy: complex64 transforms of float32 data,\n\
two-sided spectra of complex data (shown in ascending frequency), SciPy's\n\
windows, scalings and defaults (specgram takes spectrogram's: a Tukey\n\
window, an eighth overlap). welch, psd and specgram stream over any size;\n\
fft along the last axis streams row by row (mean(abs(fft(d, axis=1)),\n\
axis=0) of a file of any size); spectrogram() and transforms along other\n\
axes hold their results in memory (within set memory).\n",
    },
    Topic {
        names: &["explain", "bytes", "dump", "strides"],
        head: "explain EXPR   how a view is built from the file, step by step\n\
bytes EXPR     the bytes under a view, element by element (also: dump)\n",
        examples: &[
            ("explain d.r[50:, 50:]", "steps, bytes and pages, NumPy code, a map"),
            ("explain d[::-10, ::3]", "why a negative step moves the offset"),
            ("explain abs(d)", "a computed array: what NumPy would allocate"),
            ("bytes d[0, :2]", "hex bytes split at r | i, and their values"),
            ("open f.bin 2x200 >f4 as be", "the same bytes as big-endian floats..."),
            ("bytes be[0, :2]", "...read as other values"),
        ],
        tail: "explain tells which steps are views (free) and which are copies, how much\n\
of the span a view uses (.r of complex data uses half), and how many of its\n\
4 KiB pages are in memory already.\n",
    },
    Topic {
        names: &["pictures", "plot", "image"],
        head: "plot EXPR [to F.png]                                  a 1-D line plot\n\
image EXPR [to F.png] [cmap=C] [range=LO,HI|auto|minmax] [reduce=mean|max]\n\
                                                      a 2-D picture\n",
        examples: &[
            ("plot d.r[75]", "braille dots in the terminal"),
            ("plot abs(d[:, 75]) to column.png", "the same as a PNG"),
            ("image d.r[::10, ::10]", "half-block colour characters"),
            ("image abs(d) to demo.png cmap=magma", "gray viridis magma inferno plasma turbo"),
            ("image abs(d) range=minmax", "colours over the whole range, outliers and all"),
            ("hist d.i bins=20 to hist.png", "a histogram as a PNG"),
        ],
        tail: "Plots of long arrays show each column's min/max envelope over every sample,\n\
so no spike is lost; big images are reduced by streaming block means (or\n\
maxima with reduce=max). Complex data is drawn as its magnitude. Colours span
the 2nd to 98th percentile of the cells unless range= says otherwise, so one
outlier does not flatten the picture.\n",
    },
    Topic {
        names: &["files", "info", "export", "sigmf", "envi", "vrt", "npz"],
        head: "Files that describe themselves open with just `open PATH`:\n\
  .npy and .npz (uncompressed members, mapped in place), SigMF (x.sigmf-meta,\n\
  x.sigmf-data or the archive x.sigmf), ENVI and ESRI EHdr (x.hdr beside the\n\
  data), GDAL VRT of raw bands (x.vrt).\n\
  SDR extensions imply a type: .cfile .cf32 .cs16 .cs8 .cu8 .f32 ...\n",
        examples: &[
            ("info d", "dtype, fields and padding, strides, alignment, format"),
            ("q = d.r[::2, 10:]", "a strided view..."),
            ("export q vrt to q.vrt", "...as a GDAL VRT (or envi, numpy)"),
            ("open q.vrt as back", "which opens back as the same view"),
            ("export q numpy", "the NumPy code that builds it"),
            ("export d envi to f.hdr", "an ENVI header for contiguous data"),
            ("open f.hdr as e", "f.bin read through it: (bands, lines, samples)"),
            ("close e", "drop a name; a mapping goes when no view uses it"),
        ],
        tail: "Complex integers (ci16, cu8, ...) are records (r, i) that abs, angle, db and\n\
stats treat as complex numbers (.real and .imag are those parts); unsigned\n\
ones (cu8) centred, (r - 127.5) + (i - 127.5)j. `info` shows SigMF annotations and ENVI axes.\n",
    },
    Topic {
        names: &["datasets", "dataset", "dask", "cluster", "many"],
        head: "Many files as one array, stacked along axis 0 (a dataset): a list, a folder,\n\
  or a pattern, in natural order (capture_10 after capture_9). Each file is\n\
  mapped only when read; .npy headers and SigMF descriptions are per file.\n\
    open \"capture_*.cf32\" -1x1024     open parts/ c8     open [a.bin, b.bin] f4\n",
        examples: &[
            ("open [f.bin, f.bin] -1x100 as two", "two files as one (200, 100) array"),
            ("two[95:105, 0]", "a slice across the boundary: a view, no copy"),
            ("explain two[95:105, 0]", "which files a view touches, bytes in each"),
            ("export mean(two.r, axis=0) dask", "the same computation as a Dask program"),
            ("export stats two dask", "stats too (and hist); add `to F.py` to write it"),
        ],
        tail: "A layout given with open applies to each file (offset= is each file's header);\n\
every file must give the same dtype and row shape. The Dask program maps each\n\
file per chunk on the worker and accumulates in float64 as strided does; it\n\
takes --scheduler tcp://HOST:8786 or starts a LocalCluster.\n",
    },
    Topic {
        names: &["save"],
        head: "save EXPR PATH\n\n\
  .npy   NumPy's format, np.load gives the same dtype, shape and values\n\
  .csv   one line per row, as np.savetxt writes (complex as 1.5+2.0j)\n\
  .bin   the raw bytes of the elements in C order\n",
        examples: &[
            ("save d.r[50:, 50:] quadrant.npy", "a view"),
            ("save abs(d) magnitude.npy", "a computed array, block by block"),
            ("save d[0] \"first row.csv\"", "quote paths with spaces"),
        ],
        tail: "The file is written to a temporary name and renamed into place when done.\n",
    },
    Topic {
        names: &["set", "settings"],
        head: "set NAME VALUE   (set alone lists the settings)\n\n\
  precision N   digits after the point in tables (default 8)\n\
  threshold N   summarise views with more elements (default 1000)\n\
  edgeitems N   items kept at each end of a summarised axis (default 3)\n\
  rows N        rows a table shows at most (default 24; 6 when summarised)\n\
  cols N        columns a table shows at most (default 10; 6 when summarised)\n\
  format F      table, csv or json\n\
  memory SIZE   the largest copy strided makes (default a quarter of RAM)\n\
  width N|auto  columns output fits in (default: the terminal's, else\n\
                $COLUMNS, else 80; --width N at start)\n",
        examples: &[("set precision 3", "shorter numbers"), ("set", "list the settings")],
        tail: "",
    },
    Topic {
        names: &["formats", "format"],
        head: "Output formats (set format F, or --format F):\n\n\
  table  captions and tables; big views are summarised, reading only what shows\n\
  csv    every element, one line per row; notes go to stderr\n\
  json   one JSON object per result: expr, shape, dtype, file, offset, strides, data\n\
         (complex as [re, im], records as objects, nan/inf as strings)\n",
        examples: &[("set format json", "switch to JSON"), ("d[0, :2]", "a view as JSON")],
        tail: "",
    },
];

/// The names `help TOPIC` lists.
pub fn topic_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = TOPICS.iter().skip(1).map(|t| t.names[0]).collect();
    v.push("functions");
    v
}

/// The help text for `topic` (`None` for the overview).
pub fn topic(topic: Option<&str>) -> Option<String> {
    let name = topic.unwrap_or("overview");
    if name == "functions" {
        return Some(crate::builtins::listing());
    }
    TOPICS
        .iter()
        .find(|t| t.names.contains(&name))
        .map(Topic::text)
        .or_else(|| crate::builtins::builtin(name).map(crate::builtins::help_text))
}
