//! The one table of built-in functions and methods (jaq keeps its
//! functions as such a table): how each is called, its NumPy name, a help
//! line and an example. Dispatch (`call`), Tab completion, "did you mean"
//! suggestions and `help NAME` all read [`BUILTINS`], so a new function is
//! one entry and names cannot drift apart. `tests/help.rs` runs every
//! entry's example.

use crate::compute::Func;

/// What a built-in does, for dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Does {
    /// An elementwise function of one array.
    Unary(Func),
    /// `clip(x, lo, hi)`.
    Clip,
    /// `where(cond, x, y)`.
    Where,
    /// A reduction, with `axis=` (and `ddof=` for std and var).
    Reduce,
    /// Reshaping, transposing, copying and reinterpreting (`eval::reshape`).
    Reshape,
    /// `unravel_index(i, shape)`: flat indices to n-d ones.
    Unravel,
    /// Order statistics: `median`, `percentile`, `quantile` (`eval::order`).
    Order,
    /// Results that need the values in memory, and `squeeze`/`take`
    /// (`eval::arrays`).
    InMemory,
    /// `round(x, decimals=0)`, `around`.
    Round,
    /// Fourier transforms and spectra (`eval::spectral`).
    Spectral,
    /// `x.flush()`: a `mode=r+` file's changes synced (`eval::assign`).
    Flush,
}

/// One built-in.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    /// Callable as `name(x, ...)`.
    pub function: bool,
    /// Callable as `x.name(...)`.
    pub method: bool,
    /// The arguments, as help shows them.
    pub args: &'static str,
    /// What NumPy calls it.
    pub numpy: &'static str,
    pub help: &'static str,
    /// A statement that uses it, run by `tests/help.rs` in a session where
    /// `d` is a 100x100 complex64 file.
    pub example: &'static str,
    pub does: Does,
}

const fn unary(
    name: &'static str,
    method: bool,
    numpy: &'static str,
    help: &'static str,
    example: &'static str,
    f: Func,
) -> Builtin {
    Builtin {
        name,
        function: true,
        method,
        args: "x",
        numpy,
        help,
        example,
        does: Does::Unary(f),
    }
}

const fn reduction(
    name: &'static str,
    method: bool,
    args: &'static str,
    numpy: &'static str,
    help: &'static str,
    example: &'static str,
) -> Builtin {
    Builtin {
        name,
        function: true,
        method,
        args,
        numpy,
        help,
        example,
        does: Does::Reduce,
    }
}

/// An order statistic: a function like a reduction (NumPy has no such
/// methods).
const fn order(
    name: &'static str,
    args: &'static str,
    numpy: &'static str,
    help: &'static str,
    example: &'static str,
) -> Builtin {
    Builtin {
        does: Does::Order,
        ..reduction(name, false, args, numpy, help, example)
    }
}

const fn reshaping(
    name: &'static str,
    function: bool,
    args: &'static str,
    numpy: &'static str,
    help: &'static str,
    example: &'static str,
) -> Builtin {
    Builtin {
        name,
        function,
        method: true,
        args,
        numpy,
        help,
        example,
        does: Does::Reshape,
    }
}

/// Every built-in function and method.
pub const BUILTINS: &[Builtin] = &[
    unary(
        "abs",
        false,
        "np.abs",
        "magnitude; |x| of complex numbers is a float",
        "abs(d[0, :3])",
        Func::Abs,
    ),
    unary(
        "angle",
        false,
        "np.angle",
        "phase of complex numbers, in radians",
        "angle(d[0, :3])",
        Func::Angle,
    ),
    unary(
        "sqrt",
        false,
        "np.sqrt",
        "square root",
        "sqrt(abs(d[0, :3]))",
        Func::Sqrt,
    ),
    unary(
        "exp",
        false,
        "np.exp",
        "e to the power x",
        "exp(d.r[0, :3])",
        Func::Exp,
    ),
    unary(
        "log",
        false,
        "np.log",
        "natural logarithm",
        "log(abs(d[0, :3]))",
        Func::Log,
    ),
    unary(
        "log10",
        false,
        "np.log10",
        "base-10 logarithm",
        "log10(abs(d[0, :3]))",
        Func::Log10,
    ),
    unary(
        "db",
        false,
        "20*np.log10(np.abs(x))",
        "decibels: 20 log10 |x|",
        "db(d[0, :3])",
        Func::Db,
    ),
    unary(
        "conj",
        true,
        "np.conj",
        "complex conjugate",
        "conj(d[0, :3])",
        Func::Conj,
    ),
    unary(
        "conjugate",
        true,
        "np.conjugate",
        "complex conjugate (conj)",
        "d[0, :3].conjugate()",
        Func::Conj,
    ),
    unary(
        "real",
        true,
        "np.real",
        "real part (a view of a complex view)",
        "real(d[0, :3])",
        Func::Real,
    ),
    unary(
        "imag",
        true,
        "np.imag",
        "imaginary part",
        "imag(d[0, :3])",
        Func::Imag,
    ),
    unary(
        "isnan",
        false,
        "np.isnan",
        "True where x is NaN",
        "isnan(d.r[0, :3])",
        Func::IsNan,
    ),
    unary(
        "isfinite",
        false,
        "np.isfinite",
        "True where x is neither NaN nor infinite",
        "isfinite(d.r[0, :3])",
        Func::IsFinite,
    ),
    Builtin {
        name: "round",
        function: true,
        method: true,
        args: "x, decimals=0",
        numpy: "np.round",
        help: "rounded half to even, to decimals places (negative: tens, hundreds)",
        example: "round(d.r[0, :3], 2)",
        does: Does::Round,
    },
    Builtin {
        name: "around",
        function: true,
        method: false,
        args: "x, decimals=0",
        numpy: "np.around",
        help: "the same as round",
        example: "around(d.r[0, :3], 1)",
        does: Does::Round,
    },
    Builtin {
        name: "clip",
        function: true,
        method: true,
        args: "x, lo, hi",
        numpy: "np.clip",
        help: "x limited to [lo, hi]",
        example: "clip(d.r[0, :3], -0.1, 0.1)",
        does: Does::Clip,
    },
    Builtin {
        name: "where",
        function: true,
        method: false,
        args: "cond, x, y",
        numpy: "np.where",
        help: "x where cond is True, else y (cond alone: its nonzero indices)",
        example: "where(d.r[0, :3] > 0, d.r[0, :3], 0)",
        does: Does::Where,
    },
    reduction(
        "sum",
        true,
        "x, axis=None, dtype=None, keepdims=False, initial=0, where=True",
        "np.sum",
        "sum (accumulated in float64, in the input's float dtype)",
        "sum(d.r)",
    ),
    reduction(
        "mean",
        true,
        "x, axis=None, dtype=None, keepdims=False, where=True",
        "np.mean",
        "arithmetic mean (accumulated in float64, in the input's float dtype)",
        "mean(abs(d), axis=0)[:3]",
    ),
    reduction(
        "std",
        true,
        "x, axis=None, ddof=0, dtype=None, keepdims=False",
        "np.std",
        "standard deviation",
        "std(d.r, ddof=1)",
    ),
    reduction(
        "var",
        true,
        "x, axis=None, ddof=0, dtype=None, keepdims=False",
        "np.var",
        "variance",
        "d.r.var(axis=1)[:3]",
    ),
    reduction(
        "min",
        true,
        "x, axis=None, keepdims=False",
        "np.min",
        "minimum (NaN if any is NaN)",
        "min(d.r)",
    ),
    reduction(
        "max",
        true,
        "x, axis=None, keepdims=False",
        "np.max",
        "maximum (NaN if any is NaN)",
        "d.r.max()",
    ),
    reduction(
        "argmin",
        true,
        "x, axis=None, keepdims=False",
        "np.argmin",
        "flat index of the first minimum (`unravel_index` gives the n-d one)",
        "argmin(d.r)",
    ),
    reduction(
        "argmax",
        true,
        "x, axis=None, keepdims=False",
        "np.argmax",
        "flat index of the first maximum (`unravel_index` gives the n-d one)",
        "argmax(d.r, axis=1)[:3]",
    ),
    reduction(
        "ptp",
        false,
        "x, axis=None, keepdims=False",
        "np.ptp",
        "peak to peak: max - min, in x's dtype",
        "ptp(d.r, axis=0)[:3]",
    ),
    order(
        "median",
        "x, axis=None, keepdims=False",
        "np.median",
        "the middle value (mean of the two middle ones), exact, for views of any size",
        "median(d.r)",
    ),
    order(
        "nanmedian",
        "x, axis=None, keepdims=False",
        "np.nanmedian",
        "median, NaN skipped",
        "nanmedian(d.r, axis=0)[:3]",
    ),
    order(
        "percentile",
        "x, q, axis=None, keepdims=False",
        "np.percentile",
        "q-th percentile(s), q in [0, 100] (a number or a list), NumPy's linear method",
        "percentile(abs(d), [5, 50, 95])",
    ),
    order(
        "nanpercentile",
        "x, q, axis=None, keepdims=False",
        "np.nanpercentile",
        "percentile, NaN skipped",
        "nanpercentile(d.r, 99)",
    ),
    order(
        "quantile",
        "x, q, axis=None, keepdims=False",
        "np.quantile",
        "quantile(s), q in [0, 1]",
        "quantile(d.r, 0.25, axis=1)[:3]",
    ),
    order(
        "nanquantile",
        "x, q, axis=None, keepdims=False",
        "np.nanquantile",
        "quantile, NaN skipped",
        "nanquantile(d.i, [0.1, 0.9])",
    ),
    Builtin {
        name: "squeeze",
        function: true,
        method: true,
        args: "x, axis=None",
        numpy: "np.squeeze",
        help: "x without its axes of length 1 (a view)",
        example: "squeeze(d[:1, :3]).shape",
        does: Does::InMemory,
    },
    Builtin {
        name: "take",
        function: true,
        method: true,
        args: "x, indices, axis=None",
        numpy: "np.take",
        help: "elements by index, of the flattened x or along an axis",
        example: "take(d.r, [0, 5, -1])",
        does: Does::InMemory,
    },
    Builtin {
        name: "item",
        function: false,
        method: true,
        args: "x, [i]",
        numpy: "ndarray.item",
        help: "one element as a Python number",
        example: "d.r[:1, :1].item()",
        does: Does::InMemory,
    },
    Builtin {
        name: "tolist",
        function: false,
        method: true,
        args: "x",
        numpy: "ndarray.tolist",
        help: "nested Python lists",
        example: "d.r[:2, :2].tolist()",
        does: Does::InMemory,
    },
    Builtin {
        name: "cumsum",
        function: true,
        method: true,
        args: "x, axis=None",
        numpy: "np.cumsum",
        help: "running sums (of the flattened x without axis=)",
        example: "cumsum(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "cumprod",
        function: true,
        method: true,
        args: "x, axis=None",
        numpy: "np.cumprod",
        help: "running products",
        example: "cumprod(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "nancumsum",
        function: true,
        method: false,
        args: "x, axis=None",
        numpy: "np.nancumsum",
        help: "running sums, NaN as 0",
        example: "nancumsum(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "nancumprod",
        function: true,
        method: false,
        args: "x, axis=None",
        numpy: "np.nancumprod",
        help: "running products, NaN as 1",
        example: "nancumprod(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "prod",
        function: true,
        method: true,
        args: "x, axis=None",
        numpy: "np.prod",
        help: "product",
        example: "prod(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "nanprod",
        function: true,
        method: false,
        args: "x, axis=None",
        numpy: "np.nanprod",
        help: "product, NaN skipped",
        example: "nanprod(d.r[0, :4])",
        does: Does::InMemory,
    },
    Builtin {
        name: "diff",
        function: true,
        method: false,
        args: "x, n=1, axis=-1",
        numpy: "np.diff",
        help: "differences of neighbours, n times: x[1:] - x[:-1], computed as shown",
        example: "diff(d.r[0, :5])",
        does: Does::InMemory,
    },
    Builtin {
        name: "sort",
        function: true,
        method: false,
        args: "x, axis=-1",
        numpy: "np.sort",
        help: "a sorted copy (NaN last); axis=None flattens",
        example: "sort(d.r[0, :5])",
        does: Does::InMemory,
    },
    Builtin {
        name: "argsort",
        function: true,
        method: true,
        args: "x, axis=-1",
        numpy: "np.argsort",
        help: "the indices that sort x (stable)",
        example: "argsort(d.r[0, :5])",
        does: Does::InMemory,
    },
    Builtin {
        name: "unique",
        function: true,
        method: false,
        args: "x, return_counts=False",
        numpy: "np.unique",
        help: "sorted distinct values (and how often)",
        example: "unique(d.r[:3, :3] > 0, return_counts=True)",
        does: Does::InMemory,
    },
    Builtin {
        name: "nonzero",
        function: true,
        method: true,
        args: "x",
        numpy: "np.nonzero",
        help: "the indices of nonzero elements, one array per axis",
        example: "nonzero(d.r[:3, :3] > 0.3)",
        does: Does::InMemory,
    },
    Builtin {
        name: "argwhere",
        function: true,
        method: false,
        args: "x",
        numpy: "np.argwhere",
        help: "the n-d indices of nonzero elements, one row each",
        example: "argwhere(d.r[:3, :3] > 0.3)",
        does: Does::InMemory,
    },
    Builtin {
        name: "flatnonzero",
        function: true,
        method: false,
        args: "x",
        numpy: "np.flatnonzero",
        help: "the flat indices of nonzero elements",
        example: "flatnonzero(d.r[0, :8] > 0)",
        does: Does::InMemory,
    },
    Builtin {
        name: "unravel_index",
        function: true,
        method: false,
        args: "indices, shape, order='C'",
        numpy: "np.unravel_index",
        help: "the n-d index (a tuple) of flat indices into an array of that shape",
        example: "unravel_index(argmax(abs(d)), d.shape)",
        does: Does::Unravel,
    },
    reduction(
        "any",
        true,
        "x, axis=None, keepdims=False",
        "np.any",
        "whether any element is nonzero",
        "any(d.r > 0.9)",
    ),
    reduction(
        "all",
        true,
        "x, axis=None, keepdims=False",
        "np.all",
        "whether every element is nonzero",
        "all(abs(d) >= 0)",
    ),
    reduction(
        "count_nonzero",
        false,
        "x, axis=None, keepdims=False",
        "np.count_nonzero",
        "how many elements are nonzero",
        "count_nonzero(d.r > 0)",
    ),
    reduction(
        "nansum",
        false,
        "x, axis=None, dtype=None, keepdims=False",
        "np.nansum",
        "sum, NaN skipped",
        "nansum(d.r)",
    ),
    reduction(
        "nanmean",
        false,
        "x, axis=None, dtype=None, keepdims=False",
        "np.nanmean",
        "mean, NaN skipped",
        "nanmean(d.r)",
    ),
    reduction(
        "nanstd",
        false,
        "x, axis=None, ddof=0, dtype=None, keepdims=False",
        "np.nanstd",
        "standard deviation, NaN skipped",
        "nanstd(d.r)",
    ),
    reduction(
        "nanvar",
        false,
        "x, axis=None, ddof=0, dtype=None, keepdims=False",
        "np.nanvar",
        "variance, NaN skipped",
        "nanvar(d.r)",
    ),
    reduction(
        "nanmin",
        false,
        "x, axis=None, keepdims=False",
        "np.nanmin",
        "minimum, NaN skipped",
        "nanmin(d.r)",
    ),
    reduction(
        "nanmax",
        false,
        "x, axis=None, keepdims=False",
        "np.nanmax",
        "maximum, NaN skipped",
        "nanmax(d.r)",
    ),
    reduction(
        "nanargmin",
        false,
        "x, axis=None, keepdims=False",
        "np.nanargmin",
        "flat index of the first minimum, NaN skipped (all NaN: an error)",
        "nanargmin(d.r)",
    ),
    reduction(
        "nanargmax",
        false,
        "x, axis=None, keepdims=False",
        "np.nanargmax",
        "flat index of the first maximum, NaN skipped (all NaN: an error)",
        "nanargmax(d.r, axis=1)[:3]",
    ),
    reshaping(
        "reshape",
        true,
        "x, shape",
        "np.reshape",
        "the same elements in a new shape (a view when NumPy's is)",
        "d.reshape(50, 200).shape",
    ),
    reshaping(
        "ravel",
        true,
        "x",
        "np.ravel",
        "1-D, a view when contiguous",
        "ravel(d[:2, :3])",
    ),
    reshaping(
        "transpose",
        true,
        "x, axes=None",
        "np.transpose",
        "axes reversed or permuted (a view)",
        "d.transpose().strides",
    ),
    reshaping(
        "swapaxes",
        true,
        "x, a, b",
        "np.swapaxes",
        "two axes swapped (a view)",
        "swapaxes(d, 0, 1).strides",
    ),
    reshaping(
        "flatten",
        false,
        "x",
        "ndarray.flatten",
        "a 1-D copy",
        "d[:2, :2].flatten()",
    ),
    Builtin {
        name: "flush",
        function: false,
        method: true,
        args: "x",
        numpy: "memmap.flush",
        help: "write a mode=r+ file's changes to disk (as the `flush` command)",
        example: "d.flush()",
        does: Does::Flush,
    },
    reshaping(
        "copy",
        false,
        "x",
        "ndarray.copy",
        "a copy in memory",
        "d[:2, :2].copy()",
    ),
    reshaping(
        "view",
        false,
        "x, dtype",
        "ndarray.view",
        "the same bytes as another dtype",
        "d[0, :2].view('<f4')",
    ),
    reshaping(
        "astype",
        false,
        "x, dtype",
        "ndarray.astype",
        "values converted to another dtype",
        "d.r[0, :3].astype('i2')",
    ),
    reshaping(
        "byteswap",
        false,
        "x",
        "ndarray.byteswap",
        "a copy with each element's bytes reversed",
        "d.r[0, :2].byteswap()",
    ),
    reshaping(
        "newbyteorder",
        false,
        "dtype",
        "dtype.newbyteorder",
        "the dtype in the other byte order",
        "d.dtype.newbyteorder()",
    ),
    Builtin {
        name: "fft",
        function: true,
        method: false,
        args: "a, n=None, axis=-1, norm=None",
        numpy: "np.fft.fft",
        help: "the discrete Fourier transform along an axis (in memory; complex64 for float32 data)",
        example: "abs(fft(d[0, :8]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "ifft",
        function: true,
        method: false,
        args: "a, n=None, axis=-1, norm=None",
        numpy: "np.fft.ifft",
        help: "the inverse discrete Fourier transform along an axis",
        example: "ifft(fft(d[0, :4]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "rfft",
        function: true,
        method: false,
        args: "a, n=None, axis=-1, norm=None",
        numpy: "np.fft.rfft",
        help: "the Fourier transform of real data: the n//2 + 1 non-negative frequencies",
        example: "rfft(d.r[0, :8], norm='ortho')",
        does: Does::Spectral,
    },
    Builtin {
        name: "irfft",
        function: true,
        method: false,
        args: "a, n=None, axis=-1, norm=None",
        numpy: "np.fft.irfft",
        help: "the inverse of rfft: n real points (2·(m-1) by default)",
        example: "irfft(rfft(d.r[0, :8]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "fftfreq",
        function: true,
        method: false,
        args: "n, d=1.0",
        numpy: "np.fft.fftfreq",
        help: "the frequencies of an n-point transform's bins (sample spacing d)",
        example: "fftfreq(8, d=0.5)",
        does: Does::Spectral,
    },
    Builtin {
        name: "rfftfreq",
        function: true,
        method: false,
        args: "n, d=1.0",
        numpy: "np.fft.rfftfreq",
        help: "the frequencies of rfft's bins",
        example: "rfftfreq(8)",
        does: Does::Spectral,
    },
    Builtin {
        name: "fftshift",
        function: true,
        method: false,
        args: "x, axes=None",
        numpy: "np.fft.fftshift",
        help: "zero frequency moved to the middle (a copy)",
        example: "fftshift(fftfreq(5))",
        does: Does::Spectral,
    },
    Builtin {
        name: "ifftshift",
        function: true,
        method: false,
        args: "x, axes=None",
        numpy: "np.fft.ifftshift",
        help: "the inverse of fftshift",
        example: "ifftshift(fftshift(fftfreq(5)))",
        does: Does::Spectral,
    },
    Builtin {
        name: "welch",
        function: true,
        method: false,
        args: "x, fs=1.0, window='hann', nperseg=256, noverlap=None, detrend='constant', return_onesided=True, scaling='density'",
        numpy: "scipy.signal.welch",
        help: "Welch's power spectral density (f, Pxx) of a 1-d array of any size, streamed",
        example: "welch(d[0], nperseg=32)[1]",
        does: Does::Spectral,
    },
    Builtin {
        name: "spectrogram",
        function: true,
        method: false,
        args: "x, fs=1.0, window=('tukey', 0.25), nperseg=256, noverlap=nperseg//8, detrend='constant', return_onesided=True, scaling='density'",
        numpy: "scipy.signal.spectrogram",
        help: "(f, t, Sxx): each segment's power spectral density (the result within set memory); image 10*log10(Sxx) draws it",
        example: "spectrogram(d[0], nperseg=16)[2].shape",
        does: Does::Spectral,
    },
    Builtin {
        name: "fft2",
        function: true,
        method: false,
        args: "a, s=None, axes=(-2, -1), norm=None",
        numpy: "np.fft.fft2",
        help: "the 2-D discrete Fourier transform (in memory)",
        example: "abs(fft2(d[:4, :4]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "ifft2",
        function: true,
        method: false,
        args: "a, s=None, axes=(-2, -1), norm=None",
        numpy: "np.fft.ifft2",
        help: "the inverse 2-D discrete Fourier transform",
        example: "ifft2(fft2(d[:2, :2]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "fftn",
        function: true,
        method: false,
        args: "a, s=None, axes=None, norm=None",
        numpy: "np.fft.fftn",
        help: "the n-D discrete Fourier transform over every axis (or axes=)",
        example: "fftn(d[:2, :4], s=(2, 8)).shape",
        does: Does::Spectral,
    },
    Builtin {
        name: "ifftn",
        function: true,
        method: false,
        args: "a, s=None, axes=None, norm=None",
        numpy: "np.fft.ifftn",
        help: "the inverse n-D discrete Fourier transform",
        example: "ifftn(fftn(d[:2, :2]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "rfft2",
        function: true,
        method: false,
        args: "a, s=None, axes=(-2, -1), norm=None",
        numpy: "np.fft.rfft2",
        help: "the 2-D transform of real data: rfft along the last axis, then fft",
        example: "rfft2(d.r[:4, :4]).shape",
        does: Does::Spectral,
    },
    Builtin {
        name: "irfft2",
        function: true,
        method: false,
        args: "a, s=None, axes=(-2, -1), norm=None",
        numpy: "np.fft.irfft2",
        help: "the inverse of rfft2: real values",
        example: "irfft2(rfft2(d.r[:2, :4]))",
        does: Does::Spectral,
    },
    Builtin {
        name: "rfftn",
        function: true,
        method: false,
        args: "a, s=None, axes=None, norm=None",
        numpy: "np.fft.rfftn",
        help: "the n-D transform of real data (rfft along the last of axes)",
        example: "rfftn(d.r[:2, :4], s=(2, 8)).shape",
        does: Does::Spectral,
    },
    Builtin {
        name: "irfftn",
        function: true,
        method: false,
        args: "a, s=None, axes=None, norm=None",
        numpy: "np.fft.irfftn",
        help: "the inverse of rfftn: real values",
        example: "irfftn(rfftn(d.r[:2, :4]))",
        does: Does::Spectral,
    },
];

/// The built-in of this name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Names callable as functions.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().filter(|b| b.function).map(|b| b.name)
}

/// Names callable as methods of an array.
pub fn method_names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().filter(|b| b.method).map(|b| b.name)
}

/// `help NAME` for a built-in: how it is called, what NumPy calls it,
/// what it does, and its example.
pub fn help_text(b: &Builtin) -> String {
    let how = match (b.function, b.method) {
        (true, true) => format!("{}({}), or as a method", b.name, b.args),
        (true, false) => format!("{}({})", b.name, b.args),
        (false, _) => format!(
            "x.{}({})",
            b.name,
            b.args.trim_start_matches("x, ").trim_start_matches('x')
        ),
    };
    format!(
        "{how}\n  {}\n  NumPy: {}\n  example: {}\n",
        b.help, b.numpy, b.example
    )
}

/// `help functions`: every built-in by kind, wrapped to fit a screen.
pub fn listing() -> String {
    let mut out = String::new();
    for (title, keep) in [
        (
            "elementwise",
            &(|d: Does| matches!(d, Does::Unary(_) | Does::Clip | Does::Where | Does::Round))
                as &dyn Fn(Does) -> bool,
        ),
        ("reductions (axis=)", &|d| d == Does::Reduce),
        ("order statistics (exact, any size)", &|d| d == Does::Order),
        ("shapes, copies and files", &|d| {
            d == Does::Reshape || d == Does::Flush
        }),
        ("indices", &|d| d == Does::Unravel),
        ("in memory (within set memory)", &|d| d == Does::InMemory),
        (
            "spectra (np.fft.NAME works too; welch streams any size)",
            &|d| d == Does::Spectral,
        ),
    ] {
        out.push_str(&format!("{title}:\n"));
        let mut line = String::from(" ");
        for b in BUILTINS.iter().filter(|b| keep(b.does)) {
            if line.len() + b.name.len() + 1 > 76 {
                out.push_str(&line);
                out.push('\n');
                line = String::from(" ");
            }
            line.push(' ');
            line.push_str(b.name);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("`help NAME` shows how one is called, its NumPy name and an example.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_entry_is_callable_somehow() {
        for (k, b) in BUILTINS.iter().enumerate() {
            assert!(b.function || b.method, "{}", b.name);
            assert!(
                BUILTINS[k + 1..].iter().all(|o| o.name != b.name),
                "{} twice",
                b.name
            );
            assert!(b.example.contains(b.name), "{}'s example uses it", b.name);
        }
    }
}
