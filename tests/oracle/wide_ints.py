#!/usr/bin/env python3
"""NumPy as the oracle for integers whose values, or whose products, float64
cannot all hold: int64 and uint64 values past 2^53, and int32/uint32
products past 2^53: elementwise arithmetic, comparisons, casts,
where/clip, indexing, and the whole-array sum/min/max/ptp/argmin/argmax and
`stats` extremes must be exact, with NumPy's wrap-around.

Random files of int64, uint64, int32 and uint32 (both byte orders) hold
values near 2^27 (squares past 2^53), 2^31, 2^53, 2^62, the dtype's ends
and small ones; int16, uint16, int8 and uint8 ones (the integer lanes,
which wrap every result into its dtype) their ends and small ones. Each case saves one expression to
.npy (the bytes must equal NumPy's) or prints one reduction as json (the
value must equal NumPy's).

    python3 tests/oracle/wide_ints.py --live target/release/strided [--seed N] [--cases N]
"""
import json, os, subprocess, sys, tempfile, warnings
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_cli

DTYPES = ["<i8", ">i8", "<u8", ">u8", "<i4", ">i4", "<u4", ">u4", "<i2", ">i2", "<u2", "|i1", "|u1"]
N = 12


def values(rng, dt):
    info = np.iinfo(dt)
    pool = [0, 1, 2, 3, 7, 2**53 - 1, 2**53, 2**53 + 1, 2**53 + 3, 2**62 + 5,
            info.max, info.max - 1, info.min, info.min + 1, 10**18 + 1,
            2**27 + 1, 2**30 + 3, 123456789]
    if dt.kind == "i":
        pool += [-1, -7, -(2**53) - 1, -(2**62) - 3, -(2**29) - 7]
    pool = [v for v in pool if info.min <= v <= info.max]
    out = []
    for _ in range(N):
        if rng.random() < 0.3:
            out.append(rng.randrange(int(info.min), int(info.max) + 1))
        else:
            out.append(rng.choice(pool))
    return np.array([v for v in out if info.min <= v <= info.max], dtype=dt)


def constant(rng, dt):
    # Python ints NumPy takes in arithmetic with dt (NEP 50: within range).
    info = np.iinfo(dt)
    c = rng.choice([c for c in [1, 3, 7, 2**27 + 1, 2**53 + 1, 2**62 + 1, 10**18 + 7,
                                int(info.max)] if c <= info.max])
    if dt.kind == "i" and rng.random() < 0.3:
        c = -c
    return c


def expression(rng, dt):
    c = constant(rng, dt)
    e = rng.choice([
        "x + {c}", "x - {c}", "x * {c}", "x * x", "x - x[::-1]", "x // {c}",
        "x % {c}", "x // x[::-1]", "x % x[::-1]", "-x", "abs(x)", "~x",
        "x & {c}", "x | x[::-1]", "x ^ {c}", "x ** 3", "x == {c}",
        "x < x[::-1]", "x >= {c}", "x.astype('i8')", "x.astype('u8')",
        "x.astype('i4')", "x.astype('f8')", "x.astype('f4')",
        "where(x > {c}, x, x[::-1])", "clip(x, {c}, {c2})", "x[[3, 0, 5]]",
        "x[x > {c}]", "x[3] - x[0]", "x[1:] - x[:-1]", "x == x[2]",
        "sort(x)", "argsort(x)", "unique(x)", "cumsum(x)", "cumprod(x)",
        "diff(x)", "diff(x, n=2)", "sort(x.reshape(3, 4), axis=0)",
        "cumsum(x.reshape(3, 4), axis=1)", "prod(x.reshape(3, 4), axis=1)",
        "sum(x.reshape(3, 4), axis=0)", "sum(x.reshape(3, 4), axis=1)",
        "max(x.reshape(3, 4), axis=0)", "min(x.reshape(3, 4), axis=1)",
        "ptp(x.reshape(3, 4), axis=0)", "argmax(x.reshape(3, 4), axis=0)",
        "argmin(x.reshape(2, 6), axis=1)", "sum(x.reshape(2, 2, 3), axis=(0, 2))",
        # uint64 against signed integers (and the other way): exact in NumPy.
        "x < x[::-1].astype('i8')", "x >= x[::-1].astype('u8')", "x == x.astype('i8')",
        "x != x[::-1].astype('u8')", "x > -3", "x <= -{c}",
        "clip(x, None, {c})", "clip(x, {c}, None)", "clip(x, x[::-1], None)", "clip(x, x[0], x[::-1])",
        # Python ints past every 64-bit lane, compared exactly (NumPy 2).
        "x < 9223372036854775808", "x >= -9223372036854775809", "x != 18446744073709551616",
    ])
    c2 = constant(rng, dt)
    lo, hi = sorted([c, c2])
    if "clip" in e:
        return e.replace("{c}", str(lo)).replace("{c2}", str(hi))
    return e.format(c=c)


def numpy_eval(e, x):
    ns = {"x": x, "abs": np.abs, "where": np.where, "clip": np.clip,
          "sort": lambda a, axis=-1: np.sort(a, axis=axis, kind="stable"),
          "argsort": lambda a: np.argsort(a, kind="stable"),
          "unique": np.unique, "cumsum": np.cumsum, "cumprod": np.cumprod,
          "diff": np.diff, "prod": np.prod, "sum": np.sum, "max": np.max,
          "min": np.min, "ptp": np.ptp, "argmax": np.argmax, "argmin": np.argmin}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(eval(e, ns))


def main():
    args, rng = oracle_cli.parse("wide ints", 300)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            dt = np.dtype(rng.choice(DTYPES))
            x = values(rng, dt)
            path = os.path.join(tmp, "x.bin")
            x.tofile(path)
            opened = "open %s %d %s; x = d" % (path, len(x), dt.str)
            if rng.random() < 0.35:
                red = rng.choice(["sum", "min", "max", "ptp", "argmin", "argmax",
                                  "prod", "stats", "item", "tolist"])
                view = rng.choice(["x", "x[::-1]", "x[::2]", "x + 1"])
                if red == "stats":
                    stmt = "stats " + view
                elif red in ("item", "tolist"):
                    stmt = "%s.%s(%s)" % (view if view == "x" else "(%s)" % view, red,
                                          "3" if red == "item" else "")
                else:
                    stmt = "%s(%s)" % (red, view)
                out = subprocess.run(
                    [args.live, "--format", "json", "-c", opened + "; " + stmt],
                    capture_output=True, text=True)
                lines = out.stdout.strip().splitlines()
                v = numpy_eval(view, x)
                if red == "stats":
                    got = json.loads(lines[-1])
                    got = (got["min"], got["max"])
                    want = (int(v.min()), int(v.max()))
                elif red in ("item", "tolist"):
                    got = json.loads(lines[-1])["value"] if out.returncode == 0 else out.stderr
                    want = v.item(3) if red == "item" else v.tolist()
                else:
                    got = json.loads(lines[-1])["value"] if out.returncode == 0 else out.stderr
                    f = {"ptp": np.ptp}.get(red) or getattr(np, red)
                    want = int(f(v))
                if got != want:
                    bad += 1
                    print("MISMATCH %s %s: strided %s, NumPy %s" % (dt.str, stmt, got, want))
                continue
            e = expression(rng, dt)
            want = numpy_eval(e, x)
            out_path = os.path.join(tmp, "out.npy")
            if os.path.exists(out_path):
                os.remove(out_path)
            res = subprocess.run(
                [args.live, "-c", "%s; save %s %s" % (opened, e, out_path)],
                capture_output=True, text=True)
            if res.returncode != 0:
                bad += 1
                print("MISMATCH %s %s on %s: strided failed: %s" % (dt.str, e, x.tolist(), res.stderr.strip()))
                continue
            got = np.load(out_path)
            same = got.dtype == want.dtype.newbyteorder("=") or got.dtype == want.dtype
            if not same or got.shape != want.shape or got.tobytes() != want.astype(got.dtype).tobytes():
                bad += 1
                print("MISMATCH %s %s on %s:\n  strided %s %s\n  NumPy   %s %s"
                      % (dt.str, e, x.tolist(), got.dtype, got.tolist(), want.dtype, want.tolist()))
    print("wide ints oracle: %d of %d cases equal to NumPy" % (args.cases - bad, args.cases))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
