#!/usr/bin/env python3
"""NumPy's numpy.fft and SciPy's scipy.signal.welch as the oracle for
strided's transforms and spectra.

Random files (float32, float64, complex64, complex128, int16, both byte
orders), random lengths (powers of two, primes, odd and even), views
(strided, reversed, transposed), every norm, n= shorter and longer than
the axis, axis=; welch with every window, overlaps, fs, scaling and
detrend. strided saves each result as .npy; the result must have NumPy's
(SciPy's) shape and dtype, and values within 1e-5 of the largest magnitude
for float32/complex64 results, 1e-10 for float64/complex128.

    python3 tests/oracle/spectral.py --live target/release/strided [--seed N] [--cases N]

Without SciPy the welch cases are skipped, unless STRIDED_REQUIRE_NUMPY=1
(as in .ci/run), where a missing SciPy fails.
"""
import argparse, os, random, re, subprocess, sys, tempfile, warnings
import numpy as np

try:
    import scipy.signal
    HAVE_SCIPY = True
except ImportError:
    HAVE_SCIPY = False

DTYPES = ["<f4", ">f4", "<f8", "<c8", ">c8", "<c16", "<i2", "ci16", "ci8", "cu8"]
# Complex integer samples (SDR names): NumPy's side is the complex64 array
# strided documents them as, cu8 centred by 127.5.
COMPLEX_INT = {"ci16": "<i2", "ci8": "i1", "cu8": "u1"}


def kind(dt):
    return "c" if dt in COMPLEX_INT else np.dtype(dt).kind


def as_numpy(dt, raw):
    """The array NumPy computes with, from a case's bytes."""
    if dt not in COMPLEX_INT:
        return np.frombuffer(raw, dtype=dt)
    parts = np.frombuffer(raw, dtype=COMPLEX_INT[dt]).astype(np.float32).reshape(-1, 2)
    if dt == "cu8":
        parts = parts - np.float32(127.5)
    return (parts[:, 0] + np.complex64(1j) * parts[:, 1]).astype(np.complex64)
LENGTHS = [1, 2, 3, 5, 7, 8, 16, 17, 31, 64, 97, 100, 128, 243, 256, 1000, 1024]


def make(rng, dt, n):
    g = np.random.default_rng(rng.getrandbits(32))
    if dt in COMPLEX_INT:
        part = np.dtype(COMPLEX_INT[dt])
        info = np.iinfo(part)
        return g.integers(info.min, int(info.max) + 1, 2 * n).astype(part)
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (g.normal(0, 3, n) + 1j * g.normal(0, 3, n)).astype(dt)
    if dt.kind == "i":
        return g.integers(-300, 300, n).astype(dt)
    return g.normal(0, 3, n).astype(dt)


def cases(seed, count):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        dt = rng.choice(DTYPES)
        two_d = rng.random() < 0.3
        if two_d:
            shape = [rng.choice([1, 2, 3, 5]), rng.choice(LENGTHS[:12])]
        else:
            shape = [rng.choice(LENGTHS)]
        data = make(rng, dt, int(np.prod(shape)))
        view = rng.choice(["d", "d[::-1]", "d[::2]"] + (["d.T", "d[:, ::-1]"] if two_d else []))
        roll = rng.random()
        if two_d and rng.random() < 0.3:
            # The 2-D and n-D transforms: s= (-1 for the whole axis), axes=
            # (repeats too), norm=; the real forms (rfftn of complex data
            # now and then, which NumPy refuses).
            real = kind(dt) != "c" or rng.random() < 0.1
            f = rng.choice(["fft2", "ifft2", "fftn", "ifftn", "irfft2", "irfftn"]
                           + (["rfft2", "rfftn"] * 2 if real else []))
            args = []
            axes = rng.choice([None, "(0, 1)", "(1, 0)", "(-1,)", "(0, 0)", "(1,)"])
            if axes:
                args.append(f"axes={axes}")
            if rng.random() < 0.4:
                k = len(eval(axes)) if axes else (2 if f.endswith("2") else rng.choice([1, 2]))
                args.append("s=(" + "".join(f"{rng.choice([1, 3, 4, 8, -1])}, " for _ in range(k)) + ")")
            if rng.random() < 0.4:
                args.append(f"norm='{rng.choice(['backward', 'ortho', 'forward'])}'")
            expr = f"{f}({view}{''.join(', ' + a for a in args)})"
        elif roll < 0.55 or (kind(dt) != "c" and roll < 0.75):
            f = rng.choice(["fft", "ifft"] + (["rfft"] if kind(dt) != "c" else []))
            args = []
            if rng.random() < 0.4:
                args.append(f"n={rng.choice([1, 2, 5, 8, 13, 64, 100])}")
            if two_d and rng.random() < 0.5:
                args.append(f"axis={rng.choice([0, 1, -1, -2])}")
            if rng.random() < 0.5:
                args.append(f"norm='{rng.choice(['backward', 'ortho', 'forward'])}'")
            expr = f"{f}({view}{''.join(', ' + a for a in args)})"
        elif roll < 0.75:
            # irfft of a half spectrum (complex input), with and without n.
            n = rng.choice(["", ", n=8", ", n=9", ", n=3"])
            expr = f"irfft({view}{n})"
        elif roll < 0.82:
            f = rng.choice(["fftshift", "ifftshift"])
            axes = rng.choice(["", ", axes=0", ", axes=-1"] + ([", axes=(0, 1)", ", axes=1"] if two_d else []))
            expr = f"{f}({view}{axes})"
        else:
            if two_d or not HAVE_SCIPY:
                continue
            nperseg = rng.choice([4, 8, 16, 32, 64, 256, 300])
            args = [f"nperseg={nperseg}"]
            if rng.random() < 0.5:
                args.append(f"noverlap={rng.randrange(0, min(nperseg, shape[0]))}")
            if rng.random() < 0.5:
                args.append(f"window='{rng.choice(['hann', 'hamming', 'blackman', 'boxcar'])}'")
            if rng.random() < 0.4:
                args.append(f"fs={rng.choice([2.0, 1000, 48000.0])}")
            if rng.random() < 0.25:
                args.append(f"nfft={nperseg + rng.choice([0, 1, 7, 100])}")
            if rng.random() < 0.3:
                args.append("scaling='spectrum'")
            if rng.random() < 0.2:
                args.append("detrend=False")
            if rng.random() < 0.2:
                args.append("return_onesided=False")
            if rng.random() < 0.4:
                # spectrogram: the same arguments, its own defaults, (f, t, Sxx).
                if rng.random() < 0.3:
                    args = [a for a in args if not a.startswith("window")] + ["window=('tukey', 0.5)"]
                args = [a for a in args if not a.startswith("return_onesided")] if rng.random() < 0.5 else args
                expr = f"spectrogram({view}, {', '.join(args)})[{rng.choice([0, 1, 2, 2])}]"
            else:
                part = rng.choice([0, 1])
                expr = f"welch({view}, {', '.join(args)})[{part}]"
        case = {"dtype": dt, "shape": shape, "data": data.tobytes().hex(), "expr": expr}
        if rng.random() < 0.3 and not expr.startswith("spectrogram("):
            # A small memory limit: one-axis transforms along the last axis
            # then stream row by row instead of being made at once. Not for
            # a spectrogram, whose (f, t, Sxx) is held in memory and refused
            # past the limit, as `help spectrogram` says (seed 167471721
            # drew one of 548 KiB under 256 KiB).
            case["memory"] = "256KiB"
        out.append(case)
    # Fixed cases every seed runs: the frequencies, and np.fft. spelling.
    fixed = [("<f4", [16], e) for e in ["fftfreq(8)", "fftfreq(7, d=0.5)", "rfftfreq(9, 0.1)", "rfftfreq(1)",
                                        "np.fft.fft(d)", "np.fft.irfft(np.fft.rfft(d))"]]
    # Errors NumPy raises: no points, an unknown norm, an axis out of range,
    # rfft of complex data.
    fixed += [("<f4", [16], e) for e in ["fft(d, n=0)", "fft(d, norm='both')", "ifft(d, axis=1)",
                                        "irfft(d, n=-2)"]]
    fixed += [("<c8", [16], "rfft(d)"), ("<f4", [16], "welch(d, nperseg=8, nfft=4)[1]")]
    for dt, shape, e in fixed:
        out.append({"dtype": dt, "shape": shape, "data": make(rng, dt, 16).tobytes().hex(), "expr": e})
    # Streamed transforms (rows of a result larger than a 32nd of set
    # memory), reduced, sliced and composed as a user would.
    streamed = ["fft(d)", "ifft(d[:, ::-1], n=1200, norm='ortho')", "rfft(d.real, n=999)",
                "irfft(d[::2])", "np.mean(np.abs(fft(d, axis=1)), axis=0)",
                "np.max(np.abs(fft(d[1:, ::3])), axis=1)", "fft(d)[::-2, 5:40:3]",
                "fft(d, axis=-1).T[7]", "np.sum(fft(d) * 2, axis=(0, 1))"]
    for e in streamed:
        dt = rng.choice(["<c8", "<c16", "ci16", "cu8"])
        out.append({"dtype": dt, "shape": [6, 1000], "data": make(rng, dt, 6000).tobytes().hex(),
                    "expr": e.replace("np.mean", "mean").replace("np.max", "max").replace("np.sum", "sum")
                              .replace("np.abs", "abs"),
                    "numpy": e, "memory": "256KiB"})
    # Long rows, transformed in four steps on every core: in memory, and
    # streamed (rows of a result above a 32nd of set memory).
    long = [("<c8", [1 << 20], "fft(d)", None), ("<c16", [3 << 19], "ifft(d, norm='ortho')", None),
            ("<f4", [1021 * 1031], "irfft(rfft(d), n=1052651)", None),
            ("<c8", [2, 1 << 20], "max(abs(fft(d)), axis=1)", "np.max(np.abs(fft(d)), axis=1)")]
    for dt, shape, e, numpy in long:
        case = {"dtype": dt, "shape": shape, "data": make(rng, dt, int(np.prod(shape))).tobytes().hex(),
                "expr": e}
        if numpy:
            case.update(numpy=numpy, memory="512MiB")
        out.append(case)
    return out


def numpy_eval(expr, d):
    env = {"d": d, "np": np, "fft": np.fft.fft, "ifft": np.fft.ifft, "rfft": np.fft.rfft,
           "irfft": np.fft.irfft, "fft2": np.fft.fft2, "ifft2": np.fft.ifft2, "fftn": np.fft.fftn,
           "ifftn": np.fft.ifftn, "rfft2": np.fft.rfft2, "irfft2": np.fft.irfft2, "rfftn": np.fft.rfftn,
           "irfftn": np.fft.irfftn, "fftshift": np.fft.fftshift, "ifftshift": np.fft.ifftshift,
           "fftfreq": np.fft.fftfreq, "rfftfreq": np.fft.rfftfreq}
    if HAVE_SCIPY:
        env["welch"] = scipy.signal.welch
        env["spectrogram"] = scipy.signal.spectrogram
    return eval(expr, env)


def compare(got, want):
    want = np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape} vs {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype.str} vs {want.dtype.str}"
    if want.size == 0:
        return None
    single = want.dtype in (np.float32, np.complex64)
    tol = 1e-5 if single else 1e-10
    scale = np.abs(want.astype(np.complex128)).max()
    err = np.abs(got.astype(np.complex128) - want.astype(np.complex128)).max()
    if not err <= tol * max(scale, np.finfo(np.float64).tiny):
        return f"max error {err:.3g} vs largest magnitude {scale:.3g} (tolerance {tol})"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--live", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=200)
    args = ap.parse_args()
    if not HAVE_SCIPY:
        if os.environ.get("STRIDED_REQUIRE_NUMPY") == "1":
            sys.exit("STRIDED_REQUIRE_NUMPY=1 but scipy is not installed (pip install scipy)")
        print("scipy is not installed: the welch cases are skipped (pip install scipy)")
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    cs = cases(seed, args.cases)
    binary = os.path.abspath(args.live)
    with tempfile.TemporaryDirectory() as tmp:
        lines, where = [], {}
        for k, c in enumerate(cs):
            with open(os.path.join(tmp, f"c{k}.bin"), "wb") as f:
                f.write(bytes.fromhex(c["data"]))
            shape = "(" + "".join(f"{n}, " for n in c["shape"]) + ")"
            lines.append(f"open c{k}.bin {shape} {c['dtype']} as d")
            if "memory" in c:
                lines.append(f"set memory {c['memory']}")
            lines.append(f"save {c['expr']} o{k}.npy")
            where[len(lines)] = k
            if "memory" in c:
                lines.append("set memory 1GiB")
        with open(os.path.join(tmp, "cases.strided"), "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = subprocess.run([binary, "--keep-going", "cases.strided"], cwd=tmp, capture_output=True,
                              text=True, timeout=900)
        if "panicked" in proc.stderr:
            print(proc.stderr[-3000:])
            sys.exit(1)
        errors = {int(m.group(1)): m.group(2)
                  for m in re.finditer(r"^cases\.strided:(\d+):\d+: error: (.*)$", proc.stderr, re.M)}
        passed = failed = 0
        for line, k in where.items():
            c = cs[k]
            d = as_numpy(c["dtype"], bytes.fromhex(c["data"])).reshape(c["shape"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    want = numpy_eval(c.get("numpy", c["expr"]), d)
                except (ValueError, TypeError, IndexError) as e:
                    want = e
            if isinstance(want, Exception):
                problem = None if line in errors else f"NumPy/SciPy raise {want!r}, strided does not"
            elif line in errors:
                problem = f"strided fails: {errors[line]}"
            else:
                problem = compare(np.load(os.path.join(tmp, f"o{k}.npy")), want)
            if problem:
                failed += 1
                if failed <= 25:
                    print(f"MISMATCH {c['dtype']} {c['shape']} {c['expr']}"
                          f"{' under set memory ' + c['memory'] if 'memory' in c else ''}: {problem}")
            else:
                passed += 1
    print(f"spectral differential (seed {seed}, numpy {np.__version__}"
          f"{', scipy ' + scipy.__version__ if HAVE_SCIPY else ''}): {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
