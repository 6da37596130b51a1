#!/usr/bin/env python3
"""NumPy's np.histogram as the oracle for strided's `hist`.

Random files of float16, float32 (both byte orders), float64, integers and
complex64 (whose `hist` is of |x|, NumPy's np.abs), holding values that
fall on bin edges (grids, integers, constants) as well as noise, some NaN;
random views, bin counts and ranges (none, Python floats of a few digits,
values of the data, equal ends). For each, strided's json rows must hold
NumPy's counts and NumPy's bin edges (in NumPy's bin dtype: float32 bins
for float32 data), and the two must fail on the same cases ("Too many
bins for data range"). NaN, which np.histogram refuses without a range,
is left out of NumPy's input and must be strided's `nan` count.

    python3 tests/oracle/histogram.py --live target/release/strided [--seed N] [--cases N]
"""
import json, os, subprocess, sys, tempfile, warnings
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_cli

DTYPES = ["<f4", ">f4", "<f8", "<f2", "<i2", "|u1", "<i8", "<c8"]
BINS = [1, 2, 3, 7, 10, 13, 64, 100, 1000, 5000]
VIEWS = ["d", "d[::-1]", "d[::3]", "d[1:-1]"]


def data(rng, dt, n):
    g = np.random.default_rng(rng.getrandbits(32))
    dt = np.dtype(dt)
    shape = rng.choice(["noise", "grid", "ints", "constant", "offset"])
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        if shape == "constant":
            return np.full(n, g.integers(lo, hi + 1), dtype=dt)
        return g.integers(lo, hi + 1, n).astype(dt)
    base = dt if dt.kind == "f" else np.dtype("<f4")
    if shape == "grid":
        # Values on the edges NumPy will draw (and between them).
        x = np.linspace(g.normal() * 3, g.normal() * 3 + 10, n).astype(base)
    elif shape == "ints":
        x = g.integers(-20, 20, n).astype(base)
    elif shape == "constant":
        x = np.full(n, g.normal(), dtype=base)
    elif shape == "offset":
        # Far from zero: the bins' own float type is coarse next to them.
        x = (1000 + g.normal(0, 0.01, n)).astype(base)
    else:
        x = (g.normal(0, 1, n) * 10.0 ** g.integers(-3, 4)).astype(base)
    if shape != "constant" and rng.random() < 0.3:
        x[g.integers(0, n, max(1, n // 20))] = np.nan
    if dt.kind == "c":
        y = g.normal(0, 1, n).astype(base) if shape != "constant" else np.zeros(n, base)
        return (x + 1j * y).astype(dt)
    return x.astype(dt)


def numpy_view(a, view):
    return {"d": a, "d[::-1]": a[::-1], "d[::3]": a[::3], "d[1:-1]": a[1:-1]}[view]


def python_float(x):
    return repr(float(x))


def ranges(rng, valid):
    """None, or (lo, hi) as Python floats and their text for strided."""
    roll = rng.random()
    if roll < 0.55 or valid.size == 0:
        return None
    lo, hi = float(np.min(valid)), float(np.max(valid))
    if roll < 0.7:
        # Values of the data themselves.
        return lo, hi
    if roll < 0.8:
        # Equal ends: NumPy widens them by 0.5 each way.
        return lo, lo
    # Python floats of a few digits, inside or around the data.
    digits = rng.choice([0, 1, 2, 3])
    a = round(lo + (hi - lo) * rng.uniform(-0.2, 0.4), digits)
    b = round(lo + (hi - lo) * rng.uniform(0.6, 1.2), digits)
    return (a, b) if a <= b else (b, a)


def run(binary, path, dt, view, bins, rng_lohi):
    stmt = f"hist {view} bins={bins}"
    if rng_lohi is not None:
        stmt += f" range={python_float(rng_lohi[0])},{python_float(rng_lohi[1])}"
    out = subprocess.run(
        [binary, "--format", "json", "-c", f"open {path} {dt} as d\n{stmt}"],
        capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith('{"hist"')]
    if out.returncode != 0 or not lines:
        return stmt, None, out.stderr.strip()
    return stmt, json.loads(lines[-1]), None


def main():
    args, rng = oracle_cli.parse("histogram", 200)
    failures, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            dt = rng.choice(DTYPES)
            n = rng.choice([5, 17, 100, 1000, 4097])
            a = data(rng, dt, n)
            path = os.path.join(tmp, f"h{case}.bin")
            a.tofile(path)
            view = rng.choice(VIEWS)
            bins = rng.choice(BINS)
            x = numpy_view(a, view)
            if x.dtype.kind == "c":
                # NumPy's own |x| of complex64 depends on the layout: its
                # contiguous loop (m * sqrt(1 + q^2), which strided computes
                # for every view) and its strided loop (hypotf) differ in
                # the last place for about a third of values.
                x = np.abs(np.ascontiguousarray(x))
            valid = x[~np.isnan(x)] if x.dtype.kind == "f" else x
            given = ranges(rng, valid)
            if given is None and (valid.size == 0 or not np.all(np.isfinite(valid))):
                continue  # strided refuses what NumPy cannot range either
            stmt, got, err = run(args.live, path, dt.replace("|", ""), view, bins, given)
            checked += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    counts, edges = np.histogram(valid, bins=bins, range=given)
                    want_err = None
                except ValueError as e:
                    want_err = str(e)
            label = f"{dt} n={n} {stmt}"
            if want_err is not None or got is None:
                if (want_err is not None) != (got is None):
                    failures.append(f"{label}: NumPy {want_err or 'counts'}, strided {err or 'counts'}")
                continue
            rows = got["rows"]
            got_counts = [r["count"] for r in rows]
            got_edges = [r["lo"] for r in rows] + [rows[-1]["hi"]]
            bad_edges = [k for k, (e, w) in enumerate(zip(got_edges, edges))
                         if edges.dtype.type(e) != w]
            nan = int(np.isnan(x).sum()) if x.dtype.kind == "f" else 0
            outside = int(valid.size - counts.sum())
            if list(counts) != got_counts or bad_edges or len(got_edges) != len(edges) \
                    or got["nan"] != nan or got["outside"] != outside:
                diff = [(k, int(w), g) for k, (w, g) in enumerate(zip(counts, got_counts)) if w != g]
                failures.append(f"{label}: counts differ at {diff[:5]}, edges at {bad_edges[:5]}, "
                                f"nan {got['nan']}/{nan}, outside {got['outside']}/{outside}")
    for f in failures[:30]:
        print("MISMATCH", f)
    print(f"histogram oracle: {checked - len(failures)} of {checked} cases equal to np.histogram")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
