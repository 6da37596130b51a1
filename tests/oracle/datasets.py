#!/usr/bin/env python3
"""NumPy as the oracle for datasets of many files: one random array split
along axis 0 into 1-50 files at random cut points (empty files included),
written raw or as .npy, opened by strided as one dataset (a pattern, a
folder or a list), against NumPy over np.concatenate of one np.memmap per
file. Each case is an index chain that crosses file boundaries (slices,
negative steps, integer and boolean index arrays) or a computation and
reduction from numpy_compute.py; `save EXPR out.npy` is loaded back and
compared for shape, dtype and values. Datasets whose files differ in
dtype or row length must be refused with the name of the file that
differs.

  --live BIN   runs strided and compares; exits 1 on any difference.
"""
import argparse, os, random, re, subprocess, sys, tempfile, warnings
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_compute as nc  # noqa: E402

DTYPES = ["<f4", ">f4", "<f8", "<i2", "u1", "<c8", ">c8"]


def index_chain(rng, shape):
    n = shape[0]
    def sl():
        a, b = rng.randrange(-n - 2, n + 3), rng.randrange(-n - 2, n + 3)
        step = rng.choice([1, 1, 2, 3, -1, -2, 7])
        return f"{rng.choice([a, ''])}:{rng.choice([b, ''])}:{step}"
    first = rng.choice([sl(), sl(), str(rng.randrange(-n, n)) if n else "0:0", "..."])
    rest = []
    for m in shape[1:]:
        rest.append(rng.choice([":", "::-1", f"{rng.randrange(m)}", "1:", "::2"]))
    items = [first] + rest
    exprs = [f"d[{', '.join(items)}]"]
    if n:
        k = rng.randrange(1, 6)
        idx = [rng.randrange(-n, n) for _ in range(k)]
        exprs.append(f"d[{idx}]")
        exprs.append(f"d[{idx}, ...][::-1]")
        exprs.append("d[::-1][[0, -1]]")
    exprs.append("d[d.real > 0]")
    return rng.choice(exprs)


def split(rng, n):
    parts = rng.randint(1, 50)
    cuts = sorted(rng.randint(0, n) for _ in range(parts - 1))
    return [0] + cuts + [n]


def numpy_of(expr, d):
    if expr.startswith("d[") or expr.startswith("d."):
        return eval(expr, {"d": d, "np": np})
    return nc.numpy_eval(expr, d)


def run(binary, seed, count):
    rng = random.Random(seed)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        lines, checks = [], []
        for k in range(count):
            dt = rng.choice(DTYPES)
            rows = rng.randrange(0, 120)
            trailing = rng.choice([(), (), (3,), (4, 2)])
            shape = (rows,) + trailing
            size = int(np.prod(shape))
            a = nc.make_data(rng, dt, size).reshape(shape)
            folder = os.path.join(tmp, f"ds{k}")
            os.mkdir(folder)
            cuts = split(rng, rows)
            npy = rng.random() < 0.3
            names = []
            for j in range(len(cuts) - 1):
                name = f"part_{j}{'.npy' if npy else '.bin'}"
                piece = a[cuts[j]:cuts[j + 1]]
                if npy:
                    np.save(os.path.join(folder, name), piece)
                else:
                    piece.tofile(os.path.join(folder, name))
                names.append(name)
            how = rng.choice(["pattern", "folder", "list"])
            layout = "" if npy else f" (-1, {', '.join(map(str, trailing))}) {dt}" if trailing else f" {dt}"
            if how == "pattern":
                target = f'"ds{k}/part_*{".npy" if npy else ".bin"}"'
            elif how == "folder":
                target = f"ds{k}"
            else:
                target = "[" + ", ".join(f"ds{k}/{n}" for n in names) + "]"
            lines.append(f"open {target}{layout} as d")
            if rng.random() < 0.5:
                expr = index_chain(rng, shape)
            else:
                expr = rng.choice(nc.expressions(rng, dt, shape))
            lines.append(f"save {expr} o{k}.npy")
            files = [os.path.join(folder, n) for n in names]
            checks.append((k, len(lines), dt, shape, expr, files, npy, trailing))
        # Files that do not fit together: the error names the one that differs.
        bad = []
        for k in range(count // 10 + 1):
            folder = os.path.join(tmp, f"bad{k}")
            os.mkdir(folder)
            n = rng.randint(2, 12)
            odd = rng.randrange(1, n)
            for j in range(n):
                rows = np.zeros((rng.randint(1, 5), 4 if j != odd else 3), "<f4")
                np.save(os.path.join(folder, f"p{j}.npy"), rows)
            lines.append(f"open bad{k} as b")
            bad.append((len(lines), f"p{odd}.npy"))
        with open(os.path.join(tmp, "cases.strided"), "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = subprocess.run([binary, "--keep-going", "--width", "10000", "cases.strided"], cwd=tmp,
                              capture_output=True, text=True, timeout=900)
        if proc.returncode not in (0, 1) or "panicked" in proc.stderr:
            print(proc.stderr[-3000:])
            return 0, count
        errors = {int(m.group(1)): m.group(2) for m in
                  re.finditer(r"^cases\.strided:(\d+):\d+: error: (.*)$", proc.stderr, re.M)}
        for k, line, dt, shape, expr, files, npy, trailing in checks:
            if npy:
                maps = [np.load(f, mmap_mode="r") for f in files]
            else:
                maps = [np.memmap(f, dtype=dt, mode="r").reshape((-1,) + trailing) if os.path.getsize(f)
                        else np.zeros((0,) + trailing, dt) for f in files]
            # One memmap over the files' bytes laid end to end: the files'
            # own byte order (np.concatenate alone would make it native).
            d = np.concatenate(maps).astype(maps[0].dtype)
            problem = None
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    want = np.asarray(numpy_of(expr, d))
            except Exception as e:  # NumPy raises: strided must too
                want = e
            if isinstance(want, Exception):
                if line not in errors:
                    problem = f"NumPy raises {want!r}, strided does not"
            elif line in errors:
                problem = f"strided fails: {errors[line]}"
            elif not os.path.exists(os.path.join(tmp, f"o{k}.npy")):
                problem = "no output"
            else:
                got = np.load(os.path.join(tmp, f"o{k}.npy"))
                problem = nc.compare(expr, got, want, np.dtype(dt).kind == "c", nc.scale_of(d))
            if problem:
                failed += 1
                if failed <= 25:
                    print(f"MISMATCH {dt} {shape} in {len(files)} files ({'npy' if npy else 'raw'}) {expr}: {problem}")
            else:
                passed += 1
        for line, culprit in bad:
            msg = errors.get(line, "")
            if culprit in msg:
                passed += 1
            else:
                failed += 1
                print(f"MISMATCH a dataset with {culprit} of another row length: {msg or 'opened'}")
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--live", metavar="BIN", required=True)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    passed, failed = run(os.path.abspath(args.live), seed, args.cases)
    print(f"datasets against NumPy's concatenated memmaps (seed {seed}, numpy {np.__version__}): "
          f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
