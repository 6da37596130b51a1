#!/usr/bin/env python3
"""NumPy as the oracle for strided's computation: elementwise expressions
(arithmetic, functions, broadcasting, NumPy's result dtypes) and reductions
(with axis=), over random files of float, integer and complex dtypes in
both byte orders, with NaN and infinities sprinkled in.

  --live BIN     runs strided (`save EXPR out.npy`) and compares with NumPy:
                 the same shape and dtype; values equal for exact operations,
                 within a few units in the last place for transcendental
                 functions, and within 1e-9 relative of NumPy computed in
                 float64 for sums, means and deviations.
  --freeze FILE  writes the cases (data inline as hex) and NumPy's answers as
                 JSON for tests/numpy_compute_fixtures.rs, which needs no Python.

strided's documented difference from NumPy, which the oracle encodes:
float sums, means, variances and deviations are accumulated in float64 and
rounded once to NumPy's result dtype (NumPy accumulates float32 in float32,
less accurately), so the oracle asks NumPy for a float64 accumulation and
rounds it to NumPy's own result dtype.
"""
import argparse, json, os, random, re, subprocess, sys, tempfile, warnings
import numpy as np

DTYPES = ["<f4", ">f4", "<f8", "<i2", ">i4", "u1", "<c8", ">c8", "<c16", "<f2", ">f2"]
TRANSCENDENTAL = ("sqrt", "exp", "log", "angle", "db", "**")
REDUCTIONS = ["sum", "mean", "std", "var", "min", "max", "nansum", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax",
              "count_nonzero", "any", "all", "argmin", "argmax"]


def make_data(rng, dt, n):
    dt = np.dtype(dt)
    g = np.random.default_rng(rng.getrandbits(32))
    if dt.kind == "f":
        x = g.normal(0, 10, n)
        if rng.random() < 0.5 and n > 0:
            x[g.integers(0, n, max(1, n // 20))] = g.choice([np.nan, np.inf, -np.inf], max(1, n // 20))
        return x.astype(dt)
    if dt.kind == "c":
        x = g.normal(0, 10, n) + 1j * g.normal(0, 10, n)
        if rng.random() < 0.3 and n > 0:
            x[g.integers(0, n)] = np.nan
        return x.astype(dt)
    info = np.iinfo(dt)
    return g.integers(max(info.min, -100), min(info.max, 100), n, endpoint=True).astype(dt)


def expressions(rng, dt, shape):
    kind = np.dtype(dt).kind
    nd = len(shape)
    xs = ["d", "d[::-1]" if nd == 1 else "d[::2, ::-1]"]
    if nd > 1:
        # Transposed views of the file: whole-array reductions walk them in
        # memory order and must still report NumPy's first (C-order) index.
        xs += ["d.T", "d[::-1].T"]
    if kind == "c":
        xs += ["d.real", "d.imag"]
    # Advanced indexing of the file as an operand, which streams (NumPy
    # copies): rows picked again and out of order, columns likewise.
    xs.append("d[[0, -1, 0]]")
    if nd > 1:
        xs.append("d[:, [-1, 0, -1]]")
    # Advanced indexing of a computed array, which gathers at the leaves
    # (a leaf of another shape broadcast first).
    xs.append("(d * 2 - 1)[[0, -1, 0]]")
    if nd > 1:
        xs.append("(d - d[0])[:, [-1, 0, -1]]")
    # A boolean mask of the file's own shape (streamed, 1-d).
    xs.append("d[abs(d) > 1]" if kind == "c" else "d[d > 0]")
    if 0 in shape:
        xs = ["d"]
    x = rng.choice(xs)
    ax = rng.randrange(-nd, nd)
    elementwise = [f"abs({x})", f"{x} * 2 + 1", f"-{x}", f"{x} - 3", f"{x} / 4", f"sqrt(abs({x}))", f"db({x})",
                   f"exp({x} / 100)", f"log(abs({x}) + 1)", f"{x} ** 2", f"conj({x})", f"isnan({x})",
                   f"isfinite({x})", f"{x} == {x}", f"real({x})", f"angle({x})", f"{x} * {x}[0]" if nd > 1 and 0 not in shape else f"{x} * {x}"]
    if 0 not in shape:
        elementwise += [f"abs({x})[::-1]", f"({x} * 2).T", f"(-{x})[..., 0]", f"abs({x})[-1]"]
    if kind == "c" and x.startswith("d") and ".real" not in x and ".imag" not in x:
        elementwise += [f"imag({x})", f"sqrt({x})", f"log({x})", f"log10({x})"]
    if kind != "c":
        elementwise += [f"clip({x}, -5, 5)", f"where({x} > 0, {x}, 0)", f"{x} // 3", f"{x} % 3", f"({x} > 0) & ({x} < 5)",
                        f"{x} > 1", f"{x} + 1.5"]
    if kind in "iu":
        elementwise += [f"{x} & 3", f"{x} * 200", f"~{x}"]
    r = rng.choice(REDUCTIONS)
    if kind == "c" and r in ("nanmin", "nanmax"):
        r = "mean"
    if r in ("argmin", "argmax") and nd > 1:
        # Without an axis: NumPy's flat index.
        reductions = [f"{r}({x}, axis={ax})", f"{r}({x})", f"{x}.{r}()"]
    else:
        reductions = [f"{r}({x})", f"{x}.{r}()" if not r.startswith(("nan", "count")) else f"{r}({x})",
                      f"{r}({x}, axis={ax})" if r not in ("argmin", "argmax") or nd == 1 else f"{r}({x})"]
        if nd > 1 and not r.startswith("arg"):
            reductions.append(f"{r}({x}, axis=(0, {nd - 1}))")
    if r in ("std", "var"):
        reductions.append(f"{r}({x}, ddof=1)")
    if kind != "c" and 0 not in shape:
        # Order statistics, exact (compared with no tolerance).
        reductions += [f"median({x})", f"nanmedian({x}, axis={ax})", f"percentile({x}, {rng.choice([0, 12.5, 50, 99.9, 100])})",
                       f"quantile({x}, [0.1, 0.5, 0.9], axis={ax})", f"nanpercentile({x}, 90, axis={ax}, keepdims=True)",
                       f"nanquantile({x}, {rng.choice([0, 1, 0.3])})", f"median({x}, axis={ax})"]
    reductions.append(f"mean(abs({x} - 3))")
    return rng.choice(elementwise), rng.choice(reductions)


def db(x):
    return 20 * np.log10(np.abs(x))


def numpy_eval(expr, d):
    """Evaluates a strided expression with NumPy, applying strided's documented rules."""
    red = re.fullmatch(r"(\w+)\((.*?)((?:, \w+=.*)*)\)", expr)
    meth = re.fullmatch(r"(.*)\.(\w+)\(\)", expr)
    env = {"d": d, "abs": np.abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log10": np.log10, "db": db,
           "conj": np.conj, "isnan": np.isnan, "isfinite": np.isfinite, "clip": np.clip, "where": np.where,
           "real": np.real, "imag": np.imag, "angle": np.angle, "unravel_index": np.unravel_index,
           "argmax": np.argmax, "argmin": np.argmin, "nanargmax": np.nanargmax, "nanargmin": np.nanargmin,
           "ptp": np.ptp, "median": np.median, "nanmedian": np.nanmedian,
           "percentile": np.percentile, "nanpercentile": np.nanpercentile, "quantile": np.quantile,
           "nanquantile": np.nanquantile, "cumsum": np.cumsum, "cumprod": np.cumprod, "nancumsum": np.nancumsum,
           "nancumprod": np.nancumprod, "prod": np.prod, "nanprod": np.nanprod, "diff": np.diff, "sort": np.sort,
           "argsort": np.argsort, "unique": np.unique, "nonzero": np.nonzero, "argwhere": np.argwhere,
           "flatnonzero": np.flatnonzero, "squeeze": np.squeeze, "take": np.take, "round": np.round,
           "around": np.around, "pi": np.pi}
    name, inner, kw = None, None, {}
    if red and red.group(1) in REDUCTIONS + ["ptp"]:
        name, inner = red.group(1), red.group(2)
        if red.group(3):
            kw = eval("dict(%s)" % red.group(3)[2:])
    elif meth and meth.group(2) in REDUCTIONS:
        name, inner = meth.group(2), meth.group(1)
    if name is None:
        return eval(expr, env)
    x = np.asarray(eval(inner, env))
    f = getattr(np, name)
    base = name.replace("nan", "") if name.startswith("nan") else name
    if base in ("sum", "mean", "std", "var"):
        natural = np.asarray(f(x, **kw)).dtype
        if natural.kind in "fc":
            # strided: elements cast to dtype= first, as NumPy, then a
            # float64 accumulation rounded once to NumPy's result dtype.
            src = x.astype(kw["dtype"]) if "dtype" in kw else x
            wide = src.astype(np.complex128 if src.dtype.kind == "c" else np.float64)
            rest = {k: v for k, v in kw.items() if k != "dtype"}
            return np.asarray(f(wide, **rest)).astype(natural)
        if base != "sum" and "dtype" not in kw:
            return f(x, dtype=np.float64, **kw)
    if name == "count_nonzero":
        return np.int64(f(x, **kw)) if "axis" not in kw else f(x, **kw).astype(np.int64)
    return f(x, **kw)


def scale_of(d):
    """The largest finite magnitude in d (0 when there is none): the scale
    that cancellation errors are measured against."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finite = np.abs(d[np.isfinite(d)]) if d.size else np.zeros(0)
    return float(finite.max()) if finite.size else 0.0


def compare(expr, got, want, complex_input=False, scale=0.0):
    """None if strided's answer `got` agrees with NumPy's `want`, else why not.
    `scale` is the largest finite magnitude in the input: a sum's rounding
    error is relative to its terms, not to its answer (which may be 0)."""
    want = np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape} vs NumPy {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype.str} vs NumPy {want.dtype.str}"
    if got.dtype.kind in "biu":
        return None if np.array_equal(got, want) else "values differ"
    g = got.astype(np.complex128)
    w = want.astype(np.complex128)
    same_nan = np.array_equal(np.isnan(g), np.isnan(w))
    if not same_nan:
        return "NaN in different places"
    ok = ~np.isnan(g)
    if any(t in expr for t in ("sum", "mean", "std", "var")):
        # float64 accumulations in a different order, then one rounding to
        # the result dtype: equal to a unit in the last place of float32.
        tol = max(1e-9, 2 * np.finfo(got.real.dtype).eps) if got.dtype.kind in "fc" else 1e-9
        big = np.abs(w[ok]).max() if ok.any() else 0
        rtol, atol = tol, tol * max(big, scale, scale * scale if "var" in expr else 0)
    elif any(t in expr for t in TRANSCENDENTAL) or (complex_input and any(t in expr for t in ("*", "/", "abs"))):
        # Transcendental functions, and complex products, quotients and
        # magnitudes: NumPy rounds these differently on its SIMD and strided
        # loops, so a few units in the last place is all one can ask.
        eps = np.finfo(got.real.dtype).eps
        rtol, atol = 4 * eps, 4 * eps * 1e-3
    else:
        rtol, atol = 0, 0
    if got.dtype.kind == "c" and re.match(r"(sqrt|log|log10|exp)\(", expr):
        # Complex square roots, logarithms and exponentials: each part
        # within four units in the last place of NumPy's (C99's csqrt, clog
        # and cexp), infinities and NaN where NumPy has them.
        return part_ulps(g, w, np.finfo(got.real.dtype))
    if not np.allclose(g[ok], w[ok], rtol=rtol, atol=atol, equal_nan=True):
        k = np.argmax(~np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True))
        return f"values differ, e.g. {g.ravel()[k]} vs NumPy {w.ravel()[k]}"
    # Exact operations: zeros of the same sign too (-0.0 ** 0.5 is -0.0).
    for part in ((lambda z: z.real), (lambda z: z.imag)) if rtol == 0 and atol == 0 else ():
        if not np.array_equal(np.signbit(part(g[ok])), np.signbit(part(w[ok]))):
            return "a zero's sign differs"
    return None


def part_ulps(g, w, info):
    """None if each part of `g` is within 4 ulp (of `info`'s float) of
    `w`'s, with NaN and infinities alike; else the worst."""
    for name, p, q in (("real", g.real, w.real), ("imag", g.imag, w.imag)):
        if not np.array_equal(np.isnan(p), np.isnan(q)):
            return f"{name} parts: NaN in different places"
        inf = np.isinf(p) | np.isinf(q)
        if not np.array_equal(p[inf], q[inf]):
            return f"{name} parts: infinities differ"
        fin = np.isfinite(p) & np.isfinite(q)
        size = np.maximum(np.abs(p[fin]), np.abs(q[fin])).astype(info.dtype)
        ulps = np.abs(p[fin] - q[fin]) / np.spacing(size).astype(np.float64)
        if ulps.size and ulps.max() > 4:
            k = np.argmax(ulps)
            return f"{name} parts {ulps.max():.3g} ulp apart, e.g. {p[fin][k]!r} vs NumPy {q[fin][k]!r}"
    return None


# Every seed also runs these: reductions of 0-d arrays (NumPy's ufunc
# reductions take axis 0 or -1 of a 0-d array, mean/var/std raise), axis=(),
# and flat argmin/argmax turned back into n-d indices by unravel_index.
_PARTS = [0.0, -0.0, 1.0, -1.0, -3.5, np.inf, -np.inf, np.nan]
COMPLEX_EDGES = ([complex(a, b) for a in _PARTS for b in _PARTS]
                 + [complex(np.cos(t), np.sin(t)) for t in np.linspace(0.1, 6.2, 12)]
                 + [complex(1, 10.0 ** -k) for k in range(2, 12, 2)] + [complex(-2.5, 1e-30), complex(-7, -0.0)]
                 + [complex(1e300, 3e299), complex(-1e-300, 2e-310), complex(5e-324, 0), complex(1.7e308, -1.7e308)]
                 + [complex(0.5, k * np.pi / 2) for k in (1, 2, 3, 7, 1e5, 1e6, -3e6)] + [complex(-700, 1e7), complex(709.5, 0.1)])
FIXED = [
    # Python floats take the array's dtype before the operation (NEP 50):
    # float32 times float32(pi), not pi.
    ("<f4", [7], ["d * pi", "d * 0.1", "d + 1e-3", "d / 3.3", "d > 0.1", "d - 16777217", "mean(d * pi)"]),
    ("<c8", [5], ["d * (0.1 + 0.3j)", "d * pi", "d + 1e-3j"]),
    ("<f4", [], ["sum(d, axis=0)", "min(d, axis=-1)", "max(d, axis=0)", "any(d, axis=0)", "all(d, axis=-1)",
                 "argmax(d, axis=0)", "nansum(d, axis=0)", "nanmax(d, axis=-1)", "count_nonzero(d, axis=0)",
                 "mean(d, axis=0)", "var(d, axis=-1)", "std(d, axis=0)", "sum(d, axis=1)", "sum(d, axis=())"]),
    ("<f4", [3, 4], ["sum(d, axis=())", "mean(d, axis=())", "count_nonzero(d, axis=())", "min(d[:0], axis=())",
                     "unravel_index(argmax(d), d.shape)[0]", "unravel_index(argmin(d.T), d.T.shape)[1]",
                     "unravel_index(argmax(d), (4, 3), order='F')[1]", "unravel_index(12, d.shape)[0]",
                     "unravel_index(argmax(d, axis=1), d.shape)[1]"]),
    (">c8", [2, 3], ["sum(d)", "mean(d, axis=0)", "var(d)", "std(d, axis=1)", "nanmean(d)"]),
    # Complex numbers order by real part, then imaginary part; a NaN part
    # makes a real-part decision false.
    ("<c16", [6], ["d > 0", "d <= d[::-1]", "d < 1j", "d >= (1+1j)", "d[d > 1]"],
     [1 + 1j, 1 + 2j, complex(np.nan, 1), complex(1, np.nan), 2 + 0j, 0j]),
    # keepdims=, dtype= (the input cast first, the result in that dtype), ptp.
    ("<f4", [2, 3, 4], ["sum(d, axis=1, keepdims=True)", "max(d, keepdims=True)", "mean(d, axis=(0, 2), keepdims=True)",
                        "argmax(d, axis=2, keepdims=True)", "std(d, axis=0, keepdims=True)", "sum(d, dtype='f8')",
                        "sum(d, axis=0, dtype='i2')", "mean(d, dtype='f2')", "var(d, axis=2, dtype='c8')",
                        "ptp(d)", "ptp(d, axis=1)", "ptp(d[:0], axis=1)", "min(d, dtype='f8')"]),
    # Casts of NaN, infinities and out-of-range values to integers. Not to
    # uint32: NumPy's own answer for a value out of its range depends on the
    # element's place in the array (its SIMD loop and its scalar tail
    # differ). Past int32's range, int8 to uint16 and int32 take int32's
    # "integer indefinite"; complex to bool is true where either part is not
    # zero. Each cast also inside arithmetic, computed in the integer lanes.
    ("<f4", [6], [f"d.astype('{t}')" for t in ("i1", "i2", "i4", "i8", "u1", "u2", "u8", "?")],
     [np.nan, np.inf, -np.inf, 1e6, -3.7, 40000.7]),
    ("<f8", [12], [f"d.astype('{t}')" for t in ("i1", "i2", "i4", "i8", "u1", "u2", "u8")]
     + ["d.astype('i2') + 1", "sum(d.astype('i1'))", "(d * 2).astype('u8') // 3", "d[::-1].astype('i4') - 1"],
     [3e9, -5e9, 1e19, -1e19, 2e19, 1e30, -2147483648.5, -2147483649.0, 4294967296.0, 2.5e9, -0.9, 9.3e18]),
    ("<c8", [4], ["d.astype('?')", "d.astype('i2')", "d.astype('?') & (d.real > 0)"],
     [1j, 0j, complex(np.nan, 0), -2.5 + 1j]),
    # Order statistics: ties, both zeros, NaN, a Python int q, a list q, keepdims, errors.
    ("<f4", [2, 5], ["median(d)", "nanmedian(d)", "median(d, axis=1)", "nanmedian(d, axis=0)", "quantile(d, 1)",
                     "quantile(d, 0)", "nanquantile(d, 0.5, axis=1, keepdims=True)", "percentile(d, [25, 50, 75])",
                     "nanpercentile(d, [0, 100], axis=0)", "percentile(d, 101)", "quantile(d[:, :0], 0.5)",
                     "median(d[:, :0])", "nanmedian(d[1])"],
     [-0.0, 0.0, 1.5, 1.5, np.nan, 2.0, -1.0, 7.25, 0.0, np.nan]),
    ("<i2", [4, 3], ["median(d)", "median(d, axis=0)", "percentile(d, 30)", "quantile(d, 1)", "quantile(d, [0.5])",
                     "nanmedian(d, axis=(0, 1))"]),
    ("<f2", [7], ["median(d)", "percentile(d, 33)", "nanquantile(d, [0.2, 0.8])"]),
    # 3,000 values under `set memory 1KiB`: streamed radix selection.
    ("<f4", [30, 100], ["median(d)", "nanmedian(d)", "nanpercentile(d, [0.5, 25, 50, 75, 99.5])", "quantile(d, 0.3)",
                        "nanmedian(d, axis=0)", "nanquantile(d, 0.9, axis=1)"], None, "1KiB"),
    # Results built in memory: running sums and products (rounded at every
    # step, as NumPy's), products, differences, sorts, unique, nonzero, take.
    ("<f4", [3, 4], ["cumsum(d)", "cumsum(d, axis=0)", "cumprod(d, axis=1)", "nancumsum(d, axis=1)", "nancumprod(d)",
                     "prod(d)", "prod(d, axis=0)", "nanprod(d, axis=1)", "diff(d)", "diff(d, 2, axis=0)", "diff(d, n=0)",
                     "sort(d)", "sort(d, axis=0)", "sort(d, axis=None)", "argsort(d[0])", "unique(d)",
                     "unique(d, return_counts=True)[1]", "nonzero(d > 0)[1]", "argwhere(d > 0)", "flatnonzero(d > 0)",
                     "squeeze(d[:1])", "take(d, [0, 5, -1])", "take(d, [2, 0], axis=1)", "take(d, [13])",
                     "squeeze(d, axis=0)"],
     [0.5, -1.25, 3.0, 2.0, 1e30, np.nan, 1e30, 2.0, 0.0, -0.0, 7.5, 3.0]),
    # Rows long enough for the radix sort (and running totals down the
    # columns): random values, argsort among them (NumPy's default sort is
    # not stable, so no ties there) ...
    ("<f4", [3, 700], ["sort(d)", "sort(d, axis=0)", "sort(d, axis=None)", "argsort(d)", "argsort(d, axis=0)",
                       "unique(d)", "cumsum(d, axis=0)", "nancumprod(d / 10, axis=1)", "cumsum(d, axis=None)"],
     list(np.random.default_rng(7).normal(0, 10, 2100))),
    ("<f8", [1500], ["sort(d)", "argsort(d)", "unique(d)", "cumsum(d)"],
     list(np.random.default_rng(8).normal(0, 1e10, 1500))),
    # Along an axis of three, each put back after the work (a tile at a
    # time): real, complex and 64-bit integer values.
    ("<f4", [3, 5, 4], ["sort(d, axis=1)", "argsort(d, axis=0)", "cumsum(d, axis=1)", "cumprod(d, axis=0)",
                        "sort(d, axis=-3)", "argsort(d, axis=1)"]),
    ("<c8", [2, 3, 4], ["sort(d, axis=1)", "argsort(d, axis=0)", "cumsum(d, axis=1)"]),
    ("<i8", [4, 3, 2], ["sort(d, axis=1)", "cumsum(d, axis=0)", "argsort(d, axis=0)"],
     # Distinct values: NumPy's default argsort orders ties its own way.
     [int(v) * 7 - 80 for v in np.random.default_rng(9).permutation(24)]),
    # ... and ties and NaN, whose sorted values are the same in any order.
    ("<f4", [2, 1200], ["sort(d)", "sort(d, axis=0)", "sort(d, axis=None)", "unique(d)",
                        "unique(d, return_counts=True)[1]", "nancumsum(d, axis=0)"],
     [np.nan if k % 97 == 5 else float((k * 7) % 13) - 6.5 for k in range(2400)]),
    ("<i2", [2, 5], ["cumsum(d)", "cumprod(d, axis=1)", "prod(d, axis=1)", "diff(d)", "sort(d, axis=0)", "unique(d)",
                     "diff(d > 0)", "cumsum(d > 0)", "prod(d * 10)", "cumprod(d * 10, axis=1)"]),
    ("|u1", [6], ["cumsum(d)", "diff(d)", "prod(d)", "cumprod(d)"]),
    # round (half to even, in the dtype), clip with a None bound, complex extremes (lexicographic).
    ("<f4", [8], ["round(d)", "round(d, 1)", "round(d, -1)", "around(d, 3)", "clip(d, None, 1)", "clip(d, 0, None)"],
     [0.5, 1.5, 2.5, -0.5, 0.125, 14.999, -25.0, 1e30]),
    ("<i1", [5], ["round(d, -1)", "round(d, 2)", "clip(d, None, 5)"], [1, 5, 9, -100, 127]),
    # where= (left-out elements as the identity; a mean over the kept) and initial=.
    ("<f4", [3, 4], ["sum(d, where=d > 0)", "sum(d, axis=0, where=d > 0)", "mean(d, where=d > 0)",
                     "mean(d, axis=1, where=d < 5)", "nanmean(d, where=d != 2)", "any(d > 4, where=d < 5)",
                     "all(d > -2, axis=0, where=d < 5)", "max(d, where=d < 5, initial=-10)", "min(d, initial=0)",
                     "sum(d, initial=3)", "max(d, where=d > 0)", "mean(d, where=[True, False, True, True])",
                     "sum(d, axis=1, where=d > 100)", "mean(d, axis=1, keepdims=True, where=d > 1)"],
     [0.5, -1.25, 3.0, 2.0, 10.0, np.nan, 1e3, 2.0, 0.0, -0.0, 7.5, 3.0]),
    ("<i2", [2, 3], ["sum(d, where=d > 0)", "mean(d, axis=0, where=d != 3)"], [1, -2, 3, 4, 5, -6]),
    # prod with where= (regression: the mask was ignored, giving the product of all).
    ("<f4", [2, 3], ["prod(d, where=d > 0)", "prod(d, axis=1, where=d < 3)", "nanprod(d, where=d != 2)",
                     "prod(d, where=[True, False, True])", "prod(d, axis=0, where=d > 100)"],
     [0.5, -1.25, 3.0, 2.0, np.nan, 4.0]),
    ("<i4", [4], ["prod(d, where=d > 0)", "prod(d, where=d < 0)"], [3, -2, 5, -7]),
    # clip of complex numbers: NumPy's lexicographic order, NaN parts winning.
    ("<c8", [6], ["clip(d, 0, 1)", "clip(d, 0.5, 2)", "clip(d, 1 + 1j, 2)", "clip(d, -1, 1 - 1j)"],
     [1 + 2j, -1 - 1j, 0.5 + 0.5j, complex(np.nan, 1), 2 + 0j, 1 - 3j]),
    # var and std with where= (NumPy's two passes over the kept elements).
    ("<f4", [3, 4], ["var(d, where=d > 0)", "std(d, axis=0, where=d > 0)", "var(d, axis=1, ddof=1, where=d < 5)",
                     "nanvar(d, where=d != 2)", "nanstd(d, axis=1, where=d > -1)", "var(d, where=d > 100)",
                     "std(d, axis=1, keepdims=True, where=d > 1)", "var(d, ddof=2, where=[True, False, True, True])",
                     "var(d, axis=0, ddof=3, where=d > 0)"],
     [0.5, -1.25, 3.0, 2.0, 10.0, np.nan, 1e3, 2.0, 0.0, -0.0, 7.5, 3.0]),
    ("<i2", [2, 3], ["var(d, where=d > 0)", "std(d, axis=0, where=d != 3)"], [1, -2, 3, 4, 5, -6]),
    ("<c8", [2, 3], ["var(d, where=d.real > 1)", "std(d, axis=1, where=d.imag != 0)"],
     [1 + 2j, 3 - 1j, 3 + 0j, 1 + 5j, -2 + 0j, 3 - 1j]),
    ("<c8", [2, 3], ["max(d)", "min(d)", "argmax(d)", "argmin(d)", "max(d, axis=0)", "argmin(d, axis=1)", "round(d, 1)"],
     [1 + 2j, 3 - 1j, 3 + 0j, 1 + 5j, -2 + 0j, 3 - 1j]),
    ("<c8", [3], ["max(d)", "argmax(d)", "argmin(d)"], [1 + 2j, np.nan + 1j, 3 + 0j]),
    ("<c8", [7], ["sort(d)", "argsort(d)", "unique(d)", "unique(d, return_counts=True)[1]"], [3 + 1j, complex(1, np.nan), 1 - 2j, complex(np.nan, 0), 1 + 0j,
                                              complex(np.nan, np.nan), -5 + 9j]),
    # Integers that add up to exactly 0: the mean is the exact sum over n
    # (a running mean merged block by block left -8.9e-16; found by seed 1100472188).
    (">i4", [3, 5], ["nanmean(d.T, axis=(0, 1))", "mean(d, axis=(0, 1))", "mean(d.T, axis=0)", "nanmean(d, axis=1)"],
     [-69, 59, 69, 97, 49, 67, 25, 1, -42, -80, -61, 5, -91, 9, -38]),
    ("<i2", [3, 5], ["sum(d, dtype='i1')", "sum(d, axis=1, dtype='u1')", "mean(d, dtype='f4')", "ptp(d, axis=0)",
                     "ptp(d * 300)", "nansum(d, axis=0, dtype='f4', keepdims=True)"]),
    # Whole complex powers below 100 by repeated multiplication, as NumPy's
    # npy_cpow (not through the logarithm: (-1+0j)**2 is 1-0j, not 1-2e-16j).
    ("<c8", [5], ["d ** 2", "d ** 3", "d ** 5", "d ** -1", "d ** -2", "d ** 0", "d ** 1", "d ** 99"],
     [-3 - 2j, -1 + 0j, 1 + 2j, 0j, 0.5 - 0.25j]),
    ("<c16", [4], ["d ** 2", "d ** 7", "d ** -3", "d ** 4.0"], [-1 + 0j, 2 - 1j, 1e-3 + 1j, -0.5 + 0j]),
    # Complex sums add each part on its own (sum([nan+2j, 1+1j]) is nan+3j),
    # and a mean divides as a complex number (inf+2j over 2 is inf+nanj).
    ("<c8", [6], ["sum(d)", "sum(d[:2])", "mean(d[:2])", "nansum(d)", "nanmean(d)", "sum(d[:5])", "mean(d[3:5])",
                  "sum(d.reshape(2, 3), axis=0)", "mean(d.reshape(3, 2), axis=0)", "nansum(d.reshape(2, 3), axis=1)",
                  "sum(d.reshape(3, 2), axis=1)"],
     [complex(np.inf, 1), 1 + 1j, complex(2, np.inf), complex(np.nan, 2), complex(3, np.nan), complex(-np.inf, 0)]),
    # Integer powers wrap as NumPy's (255 ** 255 is 255 in uint8), and a
    # negative integer exponent anywhere is NumPy's ValueError.
    ("|u1", [6], ["d ** d", "d ** 9", "2 ** d", "d ** 0"], [0, 1, 255, 7, 128, 3]),
    ("<i4", [4], ["d ** -1", "2 ** d", "d ** d[::-1]", "d[1:2] ** d[1:2]"], [-5, 2, -2, 5]),
    # Floor division and remainder of float32 in float32, as NumPy's
    # npy_divmodf: (a - fmod(a, b)) / b rounds apart from float64's for
    # about one pair in 400 of these magnitudes.
    ("<f4", [40], ["d // d[::-1]", "d % d[::-1]", "d // 7e-4", "d % -1e-3", "(d * 3) // (d[::-1] + 1)"],
     [v * m for v in (-11533.062, -774197.8, -14363.759, 122120.12, 1449.2025, 0.5, -0.0, 3.0)
      for m in (1, 1e-3, 7, 1e4, -1)]),
    # Power by one number: NumPy's loop takes sqrt for 0.5 and 1 / x for -1
    # (-0.0 ** 0.5 is -0.0, -inf ** 0.5 NaN), squares for 2; an exponent
    # array takes pow.
    ("<f4", [8], ["d ** 0.5", "d ** -1", "d ** 2", "d ** 0", "d ** 1", "d ** d[::-1]", "(d * 2) ** 0.5 + 1",
                  "d.astype('f8') ** 0.5", "d.astype('f2') ** -1"],
     [-0.0, -np.inf, np.inf, 2.0, 3.0, 1e-3, -2.0, 0.0]),
    # float32 powers in the vector loop (e^(y ln|x|) in float64, rounded
    # once): negative bases with whole and fractional exponents, overflow,
    # underflow, subnormal results; NumPy's own loop is within four ulp.
    ("<f4", [24], ["abs(d) ** 1.5", "d ** 3", "d ** d[::-1]", "abs(d) ** -2.5", "2 ** d", "d ** -3", "(d * 1e-20) ** 2.2"],
     [v * m for v in (-2.5, 0.7, 13.0, -0.003, 1.0, -1.0, 40.0, -77.5) for m in (1, 1e-3, 3)]),
    # axis= reductions of transposed views walk the bytes in order (the
    # array permuted back), their outputs put back in the view's order.
    ("<f4", [3, 4, 5], ["sum(d.T, axis=0)", "mean(d.transpose(1, 2, 0), axis=(0, 2))", "max(d.T, axis=(1,))",
                        "std(d.T, axis=2, keepdims=True)", "argmax(d.T, axis=1)", "count_nonzero(d.T > 0, axis=(0, 1))",
                        "sum(d[::-1].T, axis=1)", "min(d.transpose(2, 0, 1), axis=1)", "nanmean(d.T * 2, axis=(0, 2))",
                        "argmin(d.transpose(1, 0, 2), axis=2)", "var(d.transpose(0, 2, 1), axis=0)"]),
    # diff as NumPy defines it, x[1:] - x[:-1] along the axis n times
    # (lazily up to n = 3, in memory past it): int64 wrapping, complex,
    # booleans by !=, transposes, an order past the axis's length.
    ("<i8", [3, 6], ["diff(d)", "diff(d, 3, axis=1)", "diff(d, 4)", "diff(d.T, axis=0)", "diff(d, n=2, axis=0)",
                     "diff(d > 0)", "diff(d, 7)", "diff(d[:, ::-2], 2)"],
     [2**62, -2**62, 2**63 - 1, -2**63, 5, -7, 0, 1, 2, 3, 4, 5, -1, -2, 2**40, 2**41, 7, 9]),
    ("<c8", [5], ["diff(d)", "diff(d, n=3)", "diff(d, n=5)", "diff(d[::-1], 2)"], [1 + 2j, -3j, 2.5 + 0j, 1e-3 - 1j, 7j]),
    # Basic indexing and .T of expressions: the operands indexed alike
    # (broadcast and 0-d operands, where, clip, casts, records' parts), and
    # reductions of them walking the views' bytes.
    ("<f4", [3, 4], ["(d * 2)[1:, ::-1]", "abs(d - 1)[..., 0]", "(d > 0)[None, 1]", "where(d > 0, d, 0)[::2].T",
                     "(d + d[0])[1:]", "(d * 2)[1, 2]", "clip(d, 0, 1)[:, 1:3].T + 1", "diff(abs(d), axis=0)",
                     "(d.astype('i2') + 1)[::-1]", "sum((d * 3)[:, 1:].T, axis=0)", "mean(abs(d).T[1:], axis=1)",
                     "(d * 1j + 2)[-1].imag", "max((d + 1)[::-1, ::2])"]),
    # where(cond) alone is nonzero(cond).
    ("<i2", [2, 3], ["where(d > 0)[1]", "where(d)[0]"], [1, -2, 0, 4, 0, -6]),
    # nanargmin/nanargmax: NaN passed over; a slice of NaN only is an error.
    ("<f4", [2, 3], ["nanargmax(d)", "nanargmin(d, axis=1)", "nanargmax(d, axis=0)", "nanargmin(d[0])",
                     "nanargmax(d[:, 1:])"],
     [np.nan, 1.0, 2.0, np.nan, np.nan, 0.0]),
    # The nan forms of order statistics of an empty array are np.nanmean's
    # answer (NaN of the mean's dtype in the reduced shape, whatever q):
    # an int q of an integer array gave int32's minimum, a list q a row.
    (">i4", [4], ["nanquantile(d[d > 100], 1)", "nanquantile(d[d > 100], [0.1, 0.5])", "nanmedian(d[d > 100])",
                  "nanpercentile(d[d > 100], 50, keepdims=True)"], [1, -2, 3, 4]),
    # float16 logarithms and exponentials over every 61st bit pattern
    # (subnormals, both zeros, infinities and NaN among them): NumPy's
    # float16 loop computes in float32 (SVML's or npy_logf) and rounds.
    ("<f2", [1075], ["log(d)", "log10(d)", "exp(d)", "exp(d / 8)", "db(d)"],
     np.arange(0, 65536, 61, dtype=np.uint16).view(np.float16).tolist()),
    # Complex square roots, logarithms and exponentials as C99 defines
    # them (NumPy calls the C library's): zeros of both signs, infinities
    # and NaN in either part, the negative real axis, the unit circle and
    # next to 1 (where ln|z| is tiny), complex128 parts past 2^±500 and
    # subnormal, angles near multiples of π/2 and past 2^20.
    ("<c8", [len(COMPLEX_EDGES)], ["sqrt(d)", "log(d)", "log10(d)", "exp(d)", "exp(d / 1000)"], COMPLEX_EDGES),
    ("<c16", [len(COMPLEX_EDGES)], ["sqrt(d)", "log(d)", "log10(d)", "exp(d)", "exp(d / 1000)"], COMPLEX_EDGES),
    ("u1", [2, 2], ["nanquantile(d[:0], 0)", "nanmedian(d[:, :0], axis=0)", "nanmedian(d[:0], axis=1)"], [1, 2, 3, 4]),
    ("<f4", [4], ["nanquantile(d[d > 100], [0.5, 0.9])", "nanpercentile(d[:0], 0)"], [1, -2, 3, 4]),
]


def generate(seed, n):
    rng = random.Random(seed)
    cases = []
    fixed = [(f[0], f[1], expr, f[3] if len(f) > 3 else None, f[4] if len(f) > 4 else None)
             for f in FIXED for expr in f[2]]
    target = n + len(fixed)
    while len(cases) < target:
        if fixed:
            dt, shape, expr, given, memory = fixed.pop(0)
            exprs = [expr]
        else:
            dt = rng.choice(DTYPES)
            nd = rng.choice([1, 2, 2, 3])
            shape = [rng.randint(1, 6) for _ in range(nd)]
            if rng.random() < 0.1:
                shape[0] = 0 if rng.random() < 0.3 else shape[0]
            exprs, given, memory = None, None, None
        size = int(np.prod(shape))
        with np.errstate(over="ignore"):
            data = make_data(rng, dt, size) if given is None else np.array(given, dtype=dt)
        d = data.reshape(shape)
        for expr in exprs or expressions(rng, dt, shape):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    want = numpy_eval(expr, d)
                except (ValueError, TypeError, IndexError) as e:
                    want = e
            if isinstance(want, Exception):
                if any(t in str(want) for t in ("zero-size", "empty", "out of bounds", "must be in the range",
                                              "negative integer powers", "All-NaN slice")):
                    cases.append({"dtype": dt, "shape": shape, "data": data.tobytes().hex(), "expr": expr, "error": str(want)})
                continue
            want = np.asarray(want)
            cases.append({"dtype": dt, "shape": shape, "data": data.tobytes().hex(), "expr": expr,
                          "want_descr": want.dtype.str, "want_shape": list(want.shape),
                          "want": [str(v) for v in want.astype(np.complex128).ravel()] if want.dtype.kind == "c" else [repr(float(v)) for v in want.astype(np.float64).ravel()]})
            if memory:
                cases[-1]["memory"] = memory
    return cases


def run_live(binary, cases, tmp):
    lines = []
    where = {}
    for k, c in enumerate(cases):
        path = os.path.join(tmp, f"c{k}.bin")
        with open(path, "wb") as f:
            f.write(bytes.fromhex(c["data"]))
        shape = "(" + "".join(f"{n}, " for n in c["shape"]) + ")"
        lines.append(f"open c{k}.bin {shape} {c['dtype']} as d")
        if "memory" in c:
            # A view bigger than `set memory`: answers streamed, not gathered.
            lines.append(f"set memory {c['memory']}; save {c['expr']} o{k}.npy; set memory 1GiB")
        else:
            lines.append(f"save {c['expr']} o{k}.npy")
        where[len(lines)] = k
    with open(os.path.join(tmp, "cases.strided"), "w") as f:
        f.write("\n".join(lines) + "\n")
    proc = subprocess.run([binary, "--keep-going", "cases.strided"], cwd=tmp, capture_output=True, text=True, timeout=900)
    if proc.returncode not in (0, 1) or "panicked" in proc.stderr:
        print(proc.stderr[-3000:])
        return 0, len(cases)
    errors = {int(m.group(1)): m.group(2) for m in re.finditer(r"^cases\.strided:(\d+):\d+: error: (.*)$", proc.stderr, re.M)}
    passed = failed = 0
    for line, k in where.items():
        c = cases[k]
        problem = None
        if "error" in c:
            if line not in errors:
                problem = f"NumPy raises {c['error']!r}, strided does not"
        elif line in errors:
            problem = f"strided fails: {errors[line]}"
        else:
            got = np.load(os.path.join(tmp, f"o{k}.npy"))
            d = np.frombuffer(bytes.fromhex(c["data"]), dtype=c["dtype"]).reshape(c["shape"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem = compare(c["expr"], got, numpy_eval(c["expr"], d), np.dtype(c["dtype"]).kind == "c", scale_of(d))
        if problem:
            failed += 1
            if failed <= 25:
                print(f"MISMATCH {c['dtype']} {c['shape']} {c['expr']}: {problem}")
        else:
            passed += 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--live", metavar="BIN")
    ap.add_argument("--freeze", metavar="FILE")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    cases = generate(seed, args.cases)
    if args.freeze:
        with open(args.freeze, "w") as f:
            f.write('{"generator": "tests/oracle/numpy_compute.py --freeze", "numpy": "%s", "seed": %d, "cases": [\n' % (np.__version__, seed))
            f.write(",\n".join(json.dumps(c) for c in cases) + "\n]}\n")
        print(f"froze {len(cases)} cases (seed {seed}) to {args.freeze}")
    if args.live:
        with tempfile.TemporaryDirectory() as tmp:
            passed, failed = run_live(os.path.abspath(args.live), cases, tmp)
        print(f"numpy compute differential (seed {seed}, numpy {np.__version__}): {passed} passed, {failed} failed")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
