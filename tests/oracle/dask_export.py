#!/usr/bin/env python3
"""`export ... dask` against strided itself: a random multi-file dataset
(raw float32 with NaN and infinities, complex64, int16), random statements
(views across file boundaries, elementwise expressions, reductions with and
without axis=, stats, hist), each exported as a program by strided and run
on a Dask cluster of two worker processes (a LocalCluster started here; one
program also starts its own), its printed json compared with strided's
`--format json` line for the same statement: the same keys, shapes and
dtypes, integers and booleans equal, floats within 1e-9 relative (both
accumulate in float64; single values are spelled in their own dtype).

  --live BIN   runs strided and the programs; exits 1 on any difference.
"""
import argparse, json, math, os, random, subprocess, sys, tempfile

import numpy as np


def statements(rng, kind):
    x = "d.r" if kind == "c" else "d"
    views = ["d[3:57]", "d[::-3]", "d[[0, 20, -1]]", "d[10:30, 1]" if kind != "i" else "d[10:30]",
             "d[40:8:-4, ::2]" if kind != "i" else "d[40:8:-4]"]
    parts = ["d.r", "d.i", "abs(d)", "db(d[:, 0])", "angle(d[5:9])"] if kind == "c" else []
    elem = [f"{x} * 2 + 1", f"-{x}[::7]", f"{x} > 0", f"sqrt(abs({x}))[:20]", f"({x} > 1) & ({x} < 5)",
            f"where({x} > 0, {x}, 0)[5:15]" if kind != "c" else "d.r * d.i", f"{x}[:10] == {x}[:10]"]
    red = ["sum", "mean", "std", "var", "min", "max", "nansum", "nanmean", "count_nonzero", "argmax", "any"]
    if kind == "c":
        red = [r for r in red if r not in ("min", "max", "argmax")] + ["nanmax"]
        red = [r for r in red if r != "nanmax"]
    base = "d.r" if kind == "c" else x
    reductions = []
    for r in red:
        reductions += [f"{r}({base})", f"{r}({base}, axis=0)", f"{r}({base}, axis=1)"] if kind != "i" else \
            [f"{r}({base})", f"{r}({base}, axis=0)"]
    if kind == "c":
        reductions += ["sum(d)", "mean(d, axis=0)", "sum(abs(d), axis=1)"]
    stats = ["stats d", "stats d[::2]", f"stats {base}[5:]"]
    hist = ["hist d[isfinite(d)] bins=7" if kind == "f" else "hist d bins=7", f"hist {base} bins=5 range=-1,1"]
    chosen = rng.sample(views, 3) + rng.sample(parts, min(3, len(parts))) + rng.sample(elem, 4) \
        + rng.sample(reductions, 12) + stats + hist + [f"np.mean({base} * pi, axis=0)"]
    return chosen


def close(a, b, path="$", rel=1e-9, single=False):
    """Where json values a (strided) and b (Dask) differ, or None. Floats
    agree to `rel` (1e-9; 1e-6 for float32 results of transcendental
    functions, which NumPy computes in float32 within an ulp or two and
    strided in float64 rounded once). A float32 result (`single`) may also
    differ by one float32 ulp: both sides round a float64 answer once, and
    two float64 answers equal to 1e-9 can round to neighbouring float32s."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) - {"computed", "file", "offset", "strides"}
        if keys - set(b):
            return f"{path}: Dask lacks {sorted(keys - set(b))}"
        for k in keys:
            d = close(a[k], b[k], f"{path}.{k}", rel, single)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for k, (x, y) in enumerate(zip(a, b)):
            d = close(x, y, f"{path}[{k}]", rel, single)
            if d:
                return d
        return None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return None if a == b else f"{path}: {a!r} vs {b!r}"
    if isinstance(a, int) and isinstance(b, int):
        return None if a == b else f"{path}: {a} vs {b}"
    if math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-300):
        return None
    if single and abs(float(a) - float(b)) <= float(np.spacing(np.float32(max(abs(a), abs(b))))):
        return None
    return f"{path}: {a!r} vs {b!r}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=0, help="ignored: every run exports about 30 statements")
    ap.add_argument("--live", metavar="BIN", required=True)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    rng = random.Random(seed)
    g = np.random.default_rng(seed)
    binary = os.path.abspath(args.live)
    from dask.distributed import LocalCluster
    failed = passed = 0
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for kind, dt, ext in [("f", "<f4", "f32"), ("c", "<c8", "cf32"), ("i", "<i2", "i16")]:
            rows, width = 64, 3
            if kind == "f":
                a = g.normal(0, 10, (rows, width)).astype(dt)
                a[g.integers(0, rows, 4), g.integers(0, width, 4)] = [np.nan, np.inf, -np.inf, np.nan]
            elif kind == "c":
                a = (g.normal(0, 10, (rows, width)) + 1j * g.normal(0, 10, (rows, width))).astype(dt)
            else:
                a = g.integers(-500, 500, rows).astype(dt)
            folder = os.path.join(tmp, kind)
            os.mkdir(folder)
            cuts = sorted(g.integers(0, rows, rng.randint(1, 12)).tolist())
            for j, (lo, hi) in enumerate(zip([0] + cuts, cuts + [rows])):
                a[lo:hi].tofile(os.path.join(folder, f"part_{j}.{ext}"))
            layout = f"-1x{width} {dt}" if a.ndim == 2 else dt
            chosen = statements(rng, kind)
            lines = [f'open "{kind}/part_*.{ext}" {layout}']
            for k, s in enumerate(chosen):
                lines.append(s)
                head, _, rest = s.partition(" ")
                if head in ("stats", "hist"):
                    expr, _, opts = rest.partition(" ")
                    lines.append(f"export {head} {expr} dask {opts} to {kind}_{k}.py".replace("  ", " "))
                else:
                    lines.append(f"export {s} dask to {kind}_{k}.py")
            script = os.path.join(tmp, f"{kind}.strided")
            with open(script, "w") as f:
                f.write("\n".join(lines) + "\n")
            proc = subprocess.run([binary, "--format", "json", script], cwd=tmp, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                print(f"strided failed on {kind}: {proc.stderr[-2000:]}")
                failed += 1
                continue
            results = [json.loads(l) for l in proc.stdout.splitlines()]
            results = [r for r in results if "open" not in r and "note" not in r]
            if len(results) != len(chosen):
                print(f"{kind}: {len(results)} results for {len(chosen)} statements")
                failed += 1
                continue
            for k, (s, want) in enumerate(zip(chosen, results)):
                # One program starts its own LocalCluster; the rest use the shared one.
                extra = [] if (kind, k) == ("f", 0) else ["--scheduler", cluster.scheduler_address]
                run = subprocess.run([sys.executable, os.path.join(tmp, f"{kind}_{k}.py")] + extra,
                                     cwd="/", capture_output=True, text=True, timeout=300)
                if run.returncode != 0:
                    failed += 1
                    print(f"MISMATCH {kind} `{s}`: the program failed: {run.stderr[-1500:]}")
                    continue
                got = json.loads(run.stdout.strip().splitlines()[-1])
                single = want.get("dtype") in ("<f4", "<c8")
                transcendental = any(f in s for f in ("sqrt(", "db(", "angle(", "log", "exp("))
                elementwise_abs = "abs(d" in s and kind == "c" and want.get("dtype") == "<f4"
                rel = 1e-6 if single and (transcendental or elementwise_abs) else 1e-9
                problem = close(want, got, rel=rel, single=single)
                if problem:
                    failed += 1
                    print(f"MISMATCH {kind} `{s}`: {problem}\n  strided {json.dumps(want)[:300]}\n  dask    {json.dumps(got)[:300]}")
                else:
                    passed += 1
    print(f"export ... dask against strided (seed {seed}): {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
