#!/usr/bin/env python3
"""Datasets of many files: strided over one 2 GiB file against strided over
the same bytes split into 16 files (a dataset), and against what a NumPy
user writes for many files: a loop over one np.memmap per file (summing
partial results) and np.concatenate of the memmaps (which copies them all).
Whole processes, side by side in one run, medians of alternating runs,
peak anonymous memory (RssAnon) sampled while each runs.

    python3 bench/datasets.py [--file PATH] [--runs 5]

Uses compare.py's file (made by it when missing) and splits it once into
PATH.parts/part_N.c8. Run `cargo build --release` first.
"""
import argparse, os, platform, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

N = 16384
PARTS = 16

CASES = [
    ("stats d.r", "stats d.r",
     "r = d.real\nprint(r.min(), r.max(), r.mean(), r.std(), np.isnan(r).sum())",
     "import math\nn = s = q = 0.0; lo = math.inf; hi = -math.inf; nan = 0\n"
     "for f in files:\n    r = np.memmap(f, dtype='<c8', mode='r').real\n"
     "    lo = min(lo, r.min()); hi = max(hi, r.max()); s += r.sum(dtype=np.float64)\n"
     "    q += np.square(r, dtype=np.float64).sum(); n += r.size; nan += np.isnan(r).sum()\n"
     "m = s / n\nprint(lo, hi, m, math.sqrt(q / n - m * m), nan)"),
    ("mean(d.r, axis=0)", "mean(d.r, axis=0)",
     "print(np.mean(d.real, axis=0))",
     "s = 0\nn = 0\nfor f in files:\n    r = np.memmap(f, dtype='<c8', mode='r').reshape(-1, %d).real\n"
     "    s = s + r.sum(axis=0, dtype=np.float64); n += r.shape[0]\nprint(s / n)" % N),
    ("count_nonzero(d.r > 3)", "count_nonzero(d.r > 3)",
     "print(np.count_nonzero(d.real > 3))",
     "print(sum(np.count_nonzero(np.memmap(f, dtype='<c8', mode='r').real > 3) for f in files))"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", default="/tmp/strided-bench.c8")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(compare.STRIDED):
        sys.exit("build first: cargo build --release")
    if not os.path.exists(args.file):
        compare.make_file(args.file)
    folder = args.file + ".parts"
    if not os.path.isdir(folder):
        os.mkdir(folder)
        size = os.path.getsize(args.file) // PARTS
        with open(args.file, "rb") as src:
            for k in range(PARTS):
                with open(os.path.join(folder, f"part_{k}.c8"), "wb") as dst:
                    dst.write(src.read(size))
    files = [os.path.join(folder, f"part_{k}.c8") for k in range(PARTS)]
    for f in [args.file] + files:  # into the page cache
        with open(f, "rb") as h:
            while h.read(1 << 24):
                pass
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"file {args.file} (2 GiB complex64, {N}x{N}) and the same bytes in {PARTS} files, in the page cache")
    print(f"medians of {args.runs} alternating runs, whole processes\n")
    print("| task | strided, one file | strided, 16 files | NumPy, one memmap | NumPy, loop over 16 memmaps | NumPy, np.concatenate | "
          "16 files / one file | NumPy loop / strided 16 files | RssAnon strided 16 files | RssAnon NumPy loop | RssAnon concatenate |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    pre_one = compare.NUMPY_PRE % (args.file, N, N)
    pre_many = "import numpy as np\nfiles = %r\n" % files
    pre_cat = pre_many + "d = np.concatenate([np.memmap(f, dtype='<c8', mode='r') for f in files]).reshape(-1, %d)\n" % N
    for name, stmt, numpy_one, numpy_loop in CASES:
        cmds = {
            "one": [compare.STRIDED, "-c", f"open {args.file} {N}x{N}; {stmt}"],
            "many": [compare.STRIDED, "-c", f'open "{folder}/part_*.c8" -1x{N}; {stmt}'],
            "np": [sys.executable, "-c", pre_one + numpy_one],
            "loop": [sys.executable, "-c", pre_many + numpy_loop],
            "cat": [sys.executable, "-c", pre_cat + numpy_one],
        }
        times = {k: [] for k in cmds}
        mem = {k: 0 for k in cmds}
        for _ in range(args.runs):
            for k, c in cmds.items():
                t, m = compare.run(c)
                times[k].append(t)
                mem[k] = max(mem[k], m)
        med = {k: statistics.median(v) for k, v in times.items()}
        mib = lambda b: f"{b / 2**20:.0f} MiB"
        print(f"| `{name}` | {med['one']:.2f} s | {med['many']:.2f} s | {med['np']:.2f} s | {med['loop']:.2f} s | "
              f"{med['cat']:.2f} s | {med['many'] / med['one']:.2f}x | {med['loop'] / med['many']:.1f}x | "
              f"{mib(mem['many'])} | {mib(mem['loop'])} | {mib(mem['cat'])} |")


if __name__ == "__main__":
    main()
