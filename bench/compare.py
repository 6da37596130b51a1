#!/usr/bin/env python3
"""strided against NumPy (and numexpr, where it can say the same), side by
side in one run on the same file.

Makes (once) a 2 GiB file of complex64 samples, 16384 x 16384 (and a 2 GiB
float64 file beside it for the float64 rows), warms it into the page cache, then times whole processes, each several times, and reports
medians, ratios and the peak anonymous memory (RssAnon, sampled every few
milliseconds while the process runs; max RSS would count the file's cached
pages, which both tools share).

    python3 bench/compare.py [--file PATH] [--runs 5]

Builds nothing: run `cargo build --release` and `cargo bench --no-run` first
(the script says so if the binaries are missing).
"""
import argparse, os, platform, statistics, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRIDED = os.path.join(ROOT, "target", "release", "strided")
N = 16384

NUMPY_PRE = "import numpy as np\nd = np.memmap(%r, dtype='<c8', mode='r', shape=(%d, %d))\n"
CASES = [
    ("stats d.r", "open {f} {n}x{n}; stats d.r",
     "r = d.real\nprint(r.min(), r.max(), r.mean(), r.std(), np.isnan(r).sum())", None),
    ("stats abs(d)", "open {f} {n}x{n}; stats abs(d)",
     "a = np.abs(d)\nprint(a.min(), a.max(), a.mean(), a.std(), np.isnan(a).sum())", None),
    ("stats d.r[8192:, 8192:]", "open {f} {n}x{n}; stats d.r[8192:, 8192:]",
     "q = d.real[8192:, 8192:]\nprint(q.min(), q.max(), q.mean(), q.std(), np.isnan(q).sum())", None),
    ("mean(d.r, axis=0)", "open {f} {n}x{n}; mean(d.r, axis=0)",
     "print(np.mean(d.real, axis=0))",
     "print(ne.evaluate('sum(real(d), axis=0)') / d.shape[0])"),
    ("mean(d.r, axis=1)", "open {f} {n}x{n}; mean(d.r, axis=1)",
     "print(np.mean(d.real, axis=1))",
     "print(ne.evaluate('sum(real(d), axis=1)') / d.shape[1])"),
    ("max(d.r, axis=0)", "open {f} {n}x{n}; max(d.r, axis=0)",
     "print(np.max(d.real, axis=0))",
     "print(ne.evaluate('max(real(d), axis=0)'))"),
    ("max(abs(d), axis=1)", "open {f} {n}x{n}; max(abs(d), axis=1)",
     "print(np.max(np.abs(d), axis=1))", None),
    ("count_nonzero(d.r > 3)", "open {f} {n}x{n}; count_nonzero(d.r > 3)",
     "print(np.count_nonzero(d.real > 3))",
     "print(ne.evaluate('sum(where(real(d) > 3, 1, 0))'))"),
    ("stats d.r[d.r > 5]", "open {f} {n}x{n}; stats d.r[d.r > 5]",
     "x = d.real[d.real > 5]\nprint(x.min(), x.max(), x.mean(), x.std(), np.isnan(x).sum())", None),
    ("stats d.r[:, i] (i: columns where row 0 > 0)",
     "open {f} {n}x{n}; i = flatnonzero(d.r[0] > 0); stats d.r[:, i]",
     "i = np.flatnonzero(d.real[0] > 0)\nx = d.real[:, i]\n"
     "print(x.min(), x.max(), x.mean(), x.std(), np.isnan(x).sum())", None),
    # Rows picked by an index array, reduced along them: the gather streams
    # (NumPy copies the rows, then takes their magnitudes).
    ("mean(abs(d[i]), axis=0) (i: rows where column 0 > 0)",
     "open {f} {n}x{n}; i = flatnonzero(d.r[:, 0] > 0); mean(abs(d[i]), axis=0)",
     "i = np.flatnonzero(d.real[:, 0] > 0)\nprint(np.abs(d[i]).mean(axis=0))", None),
    # An index into a computed array: strided gathers at the leaves; NumPy
    # as a careful user writes it, indexing first (its literal spelling,
    # np.sum((d.real * 1000).astype(np.int16)[i]), computes every row).
    ("sum((d.r * 1000).astype(int16)[i]) (i: rows where column 0 > 0)",
     "open {f} {n}x{n}; i = flatnonzero(d.r[:, 0] > 0); sum((d.r * 1000).astype(int16)[i])",
     "i = np.flatnonzero(d.real[:, 0] > 0)\nprint((d.real[i] * 1000).astype(np.int16).sum())", None),
    ("stats db(d)", "open {f} {n}x{n}; stats db(d)",
     "a = 20 * np.log10(np.abs(d))\nprint(a.min(), a.max(), a.mean(), a.std(), np.isnan(a).sum())",
     "print(ne.evaluate('sum(20 * log10(abs(d)))'))"),
    # An operand broadcast against the file (each column less its mean).
    # Each row less its mean: the means held, broadcast one value a row.
    ("sum(d.r - mean(d.r, axis=1, keepdims=True))",
     "open {f} {n}x{n}; sum(d.r - mean(d.r, axis=1, keepdims=True))",
     "r = d.real\nprint(np.sum(r - r.mean(axis=1, keepdims=True)))", None),
    ("sum(d.r - mean(d.r, axis=0))", "open {f} {n}x{n}; sum(d.r - mean(d.r, axis=0))",
     "r = d.real\nprint(np.sum(r - r.mean(axis=0)))",
     "r = d.real\nm = ne.evaluate('sum(r, axis=0)') / r.shape[0]\nprint(ne.evaluate('sum(r - m)'))"),
    # Column means of the transpose: the bytes walked in order all the same.
    ("mean(d.r.T, axis=1)", "open {f} {n}x{n}; mean(d.r.T, axis=1)",
     "print(np.mean(d.real.T, axis=1))",
     "r = d.real.T\nprint(ne.evaluate('sum(r, axis=1)') / r.shape[1])"),
    # Floor division, a power, a cast and diff: each once the general path.
    ("sum(d.r // 3)", "open {f} {n}x{n}; sum(d.r // 3)", "print(np.sum(d.real // 3))", None),
    ("sum(abs(d.r) ** 1.5)", "open {f} {n}x{n}; sum(abs(d.r) ** 1.5)",
     "print(np.sum(np.abs(d.real) ** 1.5))",
     "r = d.real\nprint(ne.evaluate('sum(abs(r) ** 1.5)'))"),
    ("sum(d.r.astype(int16))", "open {f} {n}x{n}; sum(d.r.astype(int16))",
     "print(d.real.astype(np.int16).sum())", None),
    ("sum(diff(d.r, axis=1))", "open {f} {n}x{n}; sum(diff(d.r, axis=1))",
     "print(np.sum(np.diff(d.real, axis=1)))",
     "r = d.real\nprint(ne.evaluate('sum(a - b)', {'a': r[:, 1:], 'b': r[:, :-1]}))"),
    ("hist d.r bins=100", "open {f} {n}x{n}; hist d.r bins=100",
     "print(np.histogram(d.real, bins=100))", None),
    ("hist d.r bins=100 range=-5,5", "open {f} {n}x{n}; hist d.r bins=100 range=-5,5",
     "print(np.histogram(d.real, bins=100, range=(-5, 5)))", None),
    ("psd of 1 GiB (128 Mi samples, nperseg 1024)",
     "open {f} {n}x{n}; psd d[:8192].reshape(-1) nperseg=1024",
     "import scipy.signal\nf, p = scipy.signal.welch(d[:8192].reshape(-1), nperseg=1024)\nprint(p.max())", None),
    ("specgram of 1 GiB (SciPy's defaults)", "open {f} {n}x{n}; specgram d[:8192].reshape(-1)",
     "import scipy.signal\nf, t, s = scipy.signal.spectrogram(d[:8192].reshape(-1))\nprint(s.max())", None),
    ("mean(abs(fft(d, axis=1)), axis=0)", "open {f} {n}x{n}; mean(abs(fft(d, axis=1)), axis=0)",
     "print(np.mean(np.abs(np.fft.fft(d, axis=1)), axis=0))", None),
    ("max(abs(fft(2**20 samples)))", "open {f} {n}x{n}; max(abs(fft(d.reshape(-1)[:2**20])))",
     "print(np.abs(np.fft.fft(d.reshape(-1)[:2**20])).max())", None),
    # A long row: four steps on both cores (NumPy: one pocketfft call).
    ("max(abs(fft(2**24 samples)))", "open {f} {n}x{n}; max(abs(fft(d.reshape(-1)[:2**24])))",
     "print(np.abs(np.fft.fft(d.reshape(-1)[:2**24])).max())", None),
    # Other dtypes: the same bytes as int16 (16384 x 65536), and a 2 GiB
    # float64 file of normal values (16384 x 16384) made beside the first.
    ("int16: stats x", "open {f} {n}x65536 i2 as x; stats x",
     "x = np.memmap(d.filename, dtype='<i2', mode='r', shape=(16384, 65536))\n"
     "print(x.min(), x.max(), x.mean(), x.std())", None),
    ("int16: mean(x, axis=0)", "open {f} {n}x65536 i2 as x; mean(x, axis=0)",
     "x = np.memmap(d.filename, dtype='<i2', mode='r', shape=(16384, 65536))\n"
     "print(np.mean(x, axis=0))", None),
    # A square (the power of int16 samples), wrapping in int16 as NumPy's.
    ("int16: sum(x ** 2)", "open {f} {n}x65536 i2 as x; sum(x ** 2)",
     "x = np.memmap(d.filename, dtype='<i2', mode='r', shape=(16384, 65536))\n"
     "print(np.sum(x ** 2))", None),
    ("int16: sum(x - 3)", "open {f} {n}x65536 i2 as x; sum(x - 3)",
     "x = np.memmap(d.filename, dtype='<i2', mode='r', shape=(16384, 65536))\n"
     # numexpr computes x - 3 in int32, without int16's wrap-around: not
     # the same sum.
     "print(np.sum(x - 3))", None),
    ("float64: stats x", "open {f8} {n}x{n} f8 as x; stats x",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(x.min(), x.max(), x.mean(), x.std(), np.isnan(x).sum())", None),
    ("float64: mean(x, axis=0)", "open {f8} {n}x{n} f8 as x; mean(x, axis=0)",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\nprint(np.mean(x, axis=0))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(x, axis=0)') / x.shape[0])"),
    ("float64: mean(x, axis=1)", "open {f8} {n}x{n} f8 as x; mean(x, axis=1)",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\nprint(np.mean(x, axis=1))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(x, axis=1)') / x.shape[1])"),
    ("float64: count_nonzero(x > 3)", "open {f8} {n}x{n} f8 as x; count_nonzero(x > 3)",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(np.count_nonzero(x > 3))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(where(x > 3, 1, 0))'))"),
    # Functions the engine now computes in vector loops (atan2, float64
    # exp), reductions over data with NaN in every block (the same bytes
    # as float16: 1 in 64 is NaN), and 64-bit integer arithmetic.
    # Complex square roots, logarithms and exponentials (C99's csqrt, clog
    # and cexp, which NumPy calls per value) and quotients, in vector loops.
    ("sum(sqrt(d))", "open {f} {n}x{n}; sum(sqrt(d))", "print(np.sum(np.sqrt(d)))",
     "print(ne.evaluate('sum(sqrt(d))'))"),
    ("sum(log(d))", "open {f} {n}x{n}; sum(log(d))", "print(np.sum(np.log(d)))",
     "print(ne.evaluate('sum(log(d))'))"),
    ("sum(exp(d))", "open {f} {n}x{n}; sum(exp(d))", "print(np.sum(np.exp(d)))",
     "print(ne.evaluate('sum(exp(d))'))"),
    ("sum(exp(1j * d.r))", "open {f} {n}x{n}; sum(exp(1j * d.r))", "print(np.sum(np.exp(1j * d.real)))",
     "r = d.real\nprint(ne.evaluate('sum(exp(1j * r))'))"),
    ("sum(d / d[0])", "open {f} {n}x{n}; sum(d / d[0])", "print(np.sum(d / d[0]))",
     "r = d[0]\nprint(ne.evaluate('sum(d / r)'))"),
    ("stats angle(d)", "open {f} {n}x{n}; stats angle(d)",
     "a = np.angle(d)\nprint(a.min(), a.max(), a.mean(), a.std(), np.isnan(a).sum())", None),
    ("float64: sum(exp(x))", "open {f8} {n}x{n} f8 as x; sum(exp(x))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\nprint(np.sum(np.exp(x)))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(exp(x))'))"),
    ("float64: sum(log10(abs(x)))", "open {f8} {n}x{n} f8 as x; sum(log10(abs(x)))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\nprint(np.sum(np.log10(np.abs(x))))",
     "x = np.memmap('{f8}', dtype='<f8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(log10(abs(x)))'))"),
    ("int16: std(x)", "open {f} {n}x65536 i2 as x; std(x)",
     "x = np.memmap(d.filename, dtype='<i2', mode='r', shape=(16384, 65536))\nprint(np.std(x))", None),
    ("float16 (NaN in every block): sum(e)", "open {f} {n}x65536 f2 as e; sum(e)",
     "e = np.memmap(d.filename, dtype='<f2', mode='r', shape=(16384, 65536))\n"
     "print(np.sum(e, dtype='f8'))", None),
    ("float16: mean(e, axis=0)", "open {f} {n}x65536 f2 as e; mean(e, axis=0)",
     "e = np.memmap(d.filename, dtype='<f2', mode='r', shape=(16384, 65536))\n"
     "print(np.mean(e, axis=0, dtype='f8'))", None),
    # Results built in memory: sorts (radix, rows on every core), unique
    # and running sums; NumPy's default (not stable) sort, as a user types it.
    ("max(sort(d.r[:2000], axis=1))", "open {f} {n}x{n}; max(sort(d.r[:2000], axis=1))",
     "print(np.sort(d.real[:2000], axis=1).max())", None),
    ("flatnonzero(d.r > 3).shape", "open {f} {n}x{n}; flatnonzero(d.r > 3).shape",
     "print(np.flatnonzero(d.real > 3).shape)", None),
    ("max(argsort(d.r[:2000], axis=1))", "open {f} {n}x{n}; max(argsort(d.r[:2000], axis=1))",
     "print(np.argsort(d.real[:2000], axis=1).max())", None),
    ("sum(sort(d.r[:2000], axis=0)[0])", "open {f} {n}x{n}; sum(sort(d.r[:2000], axis=0)[0])",
     "print(np.sort(d.real[:2000], axis=0)[0].sum())", None),
    ("unique(d.r[:1000]).shape", "open {f} {n}x{n}; unique(d.r[:1000]).shape",
     "print(np.unique(d.real[:1000]).shape)", None),
    ("sum(cumsum(d.r[:2000], axis=0))", "open {f} {n}x{n}; sum(cumsum(d.r[:2000], axis=0))",
     "print(np.cumsum(d.real[:2000], axis=0).sum())", None),
    # float16 arithmetic: float32 lanes, rounded to float16 after each
    # operation as NumPy's loops round (which take a float32 a value).
    ("float16: sum(e * 2 + 1)", "open {f} {n}x65536 f2 as e; sum(e * 2 + 1)",
     "e = np.memmap(d.filename, dtype='<f2', mode='r', shape=(16384, 65536))\n"
     "print(np.sum(e * 2 + 1, dtype='f8'))", None),
    # float16 logarithms: float32 lanes too (NumPy: SVML's float16 loop).
    ("float16: sum(log(abs(e) + 1), dtype='f8')",
     "open {f} {n}x65536 f2 as e; sum(log(abs(e) + 1), dtype='f8')",
     "e = np.memmap(d.filename, dtype='<f2', mode='r', shape=(16384, 65536))\n"
     "print(np.sum(np.log(np.abs(e) + 1), dtype='f8'))", None),
    ("int64: count_nonzero(x > 0)", "open {f} {n}x{n} i8 as x; count_nonzero(x > 0)",
     "x = np.memmap(d.filename, dtype='<i8', mode='r', shape=(16384, 16384))\n"
     "print(np.count_nonzero(x > 0))",
     "x = np.memmap(d.filename, dtype='<i8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(where(x > 0, 1, 0))'))"),
    ("int64: sum(x - 3)", "open {f} {n}x{n} i8 as x; sum(x - 3)",
     "x = np.memmap(d.filename, dtype='<i8', mode='r', shape=(16384, 16384))\n"
     "print(np.sum(x - 3))",
     "x = np.memmap(d.filename, dtype='<i8', mode='r', shape=(16384, 16384))\n"
     "print(ne.evaluate('sum(x - 3)'))"),
    ("int64: sum(x // 7)", "open {f} {n}x{n} i8 as x; sum(x // 7)",
     "x = np.memmap(d.filename, dtype='<i8', mode='r', shape=(16384, 16384))\n"
     "print(np.sum(x // 7))", None),
    # Writes on copy-on-write pages (the file never changes): NumPy's
    # memmap opened again with mode='c'.
    ("d += 1 (mode=c)", "open {f} {n}x{n} mode=c; d += 1; d[0, 0]",
     "d = np.memmap(d.filename, dtype='<c8', mode='c', shape=d.shape)\nd += 1\nprint(d[0, 0])", None),
    ("d.r[d.r > 3] = 0 (mode=c)", "open {f} {n}x{n} mode=c; d.r[d.r > 3] = 0; d[0, 0]",
     "d = np.memmap(d.filename, dtype='<c8', mode='c', shape=d.shape)\nd.real[d.real > 3] = 0\nprint(d[0, 0])", None),
    ("open + print a 5x5 corner", "open {f} {n}x{n}; d[:5, :5]", "print(d[:5, :5])", None),
    ("open only", "open {f} {n}x{n}", "pass", None),
]


def rss_anon(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd):
    """Wall time and peak RssAnon of one process."""
    peak = [0]
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_anon(p.pid))
            time.sleep(0.003)

    t = threading.Thread(target=sample)
    t.start()
    _, err = p.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    t.join()
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {err.decode()[-500:]}")
    return elapsed, peak[0]


def make_file(path, dtype="float32", what="complex64 noise"):
    if os.path.exists(path) and os.path.getsize(path) == N * N * 8:
        return
    print(f"writing {path} (2 GiB of {what})...", flush=True)
    values = N * N * 8 // 16 // {"float32": 4, "float64": 8}[dtype]
    code = ("import numpy as np\ng = np.random.default_rng(0)\n"
            f"with open({path!r}, 'wb') as f:\n"
            f"    for _ in range(16): g.standard_normal({values}).astype(np.{dtype}).tofile(f)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", default="/tmp/strided-bench.c8")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", help="task names to run, separated by | (names hold commas; default: all)")
    args = ap.parse_args()
    if not os.path.exists(STRIDED):
        sys.exit("build first: cargo build --release && cargo bench --no-run")
    make_file(args.file)
    f8 = args.file + ".f8"
    only = set(args.only.split("|")) if args.only else None
    if any(name.startswith("float64") and (not only or name in only) for name, *_ in CASES):
        make_file(f8, "float64", "float64 noise")
    # Warm the page cache, and measure the machine's read limit: the pass
    # itself (as the program times it) and the whole process (as strided is
    # timed below: start, map, fault the pages in, pass, unmap, exit).
    built = subprocess.run(["cargo", "bench", "--no-run", "--bench", "read_limit"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stderr
    limit_exe = os.path.join(ROOT, built.rsplit("(", 1)[1].split(")", 1)[0])
    subprocess.run([limit_exe, args.file], check=True, capture_output=True)
    if os.path.exists(f8):
        subprocess.run([limit_exe, f8], check=True, capture_output=True)
    limits, limit_procs = [], []
    for _ in range(args.runs):
        out = subprocess.run([limit_exe, args.file], check=True, capture_output=True, text=True).stdout.split()
        limits.append(float(out[0]))
        limit_procs.append(run([limit_exe, args.file])[0])
    size = os.path.getsize(args.file)
    limit, limit_proc = statistics.median(limits), statistics.median(limit_procs)
    import numpy
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; numpy {numpy.__version__}; "
          f"file {size / 2**30:.1f} GiB in the page cache")
    print(f"read limit (plain pass summing 64-bit words, all cores): pass {limit:.3f} s = "
          f"{size / limit / 1e9:.1f} GB/s; whole process {limit_proc:.3f} s = {size / limit_proc / 1e9:.1f} GB/s\n")
    results = {}
    try:
        import numexpr  # noqa: F401
        have_ne = True
    except ImportError:
        have_ne = False
        print("(numexpr is not installed: pip install numexpr adds its column)")
    print("| task | strided | NumPy | NumPy / strided | numexpr | numexpr / strided | strided / read limit | strided RssAnon | NumPy RssAnon |")
    print("|---|---|---|---|---|---|---|---|---|")
    row_limits = []
    for name, s_cmd, n_code, ne_code in CASES:
        if only and name not in only:
            continue
        s_times, s_mem, n_times, n_mem, e_times, l_times = [], [], [], [], [], []
        for _ in range(args.runs):
            # Alternate the tools so that drift affects both alike; the
            # read limit too, so that each row is divided by the machine's
            # speed while it ran (a shared machine's moves by 2x in minutes).
            l_times.append(run([limit_exe, args.file])[0])
            t, m = run([STRIDED, "-c", s_cmd.format(f=args.file, n=N, f8=f8)])
            s_times.append(t)
            s_mem.append(m)
            t, m = run([sys.executable, "-c", NUMPY_PRE % (args.file, N, N) + n_code.replace("{f8}", f8)])
            n_times.append(t)
            n_mem.append(m)
            if ne_code and have_ne:
                t, _ = run([sys.executable, "-c", "import numexpr as ne\n" + NUMPY_PRE % (args.file, N, N)
                            + ne_code.replace("{f8}", f8)])
                e_times.append(t)
        st, nt = statistics.median(s_times), statistics.median(n_times)
        row_limit = statistics.median(l_times)
        row_limits.append(row_limit)
        results[name] = (st, row_limit)
        ne_cells = (f"{statistics.median(e_times):.3f} s | {statistics.median(e_times) / st:.1f}x"
                    if e_times else "— | —")
        print(f"| {name} | {st:.3f} s | {nt:.3f} s | {nt / st:.1f}x | {ne_cells} | {st / row_limit:.2f}x | "
              f"{max(s_mem) / 2**20:.1f} MiB | {max(n_mem) / 2**20:.0f} MiB |", flush=True)
    if row_limits:
        print(f"\nread limit's whole process beside each row (its median there divides the row): "
              f"{min(row_limits):.3f} s to {max(row_limits):.3f} s, median {statistics.median(row_limits):.3f} s")
    # open and a 5x5 corner cost the same whatever the file's size: the same
    # statement on a 64 GiB sparse file (holes read as zeros, nothing written).
    big = args.file + ".64g-sparse"
    with open(big, "wb") as f:
        f.truncate(64 << 30)
    try:
        times = {}
        for label, path, shape in (("2 GiB", args.file, f"{N}x{N}"), ("64 GiB sparse", big, "65536x131072")):
            times[label] = statistics.median(
                run([STRIDED, "-c", f"open {path} {shape}; d[:5, :5]"])[0] for _ in range(args.runs))
        print("\nopen + 5x5 corner: " + ", ".join(f"{k} file {v:.3f} s" for k, v in times.items()))
    finally:
        os.remove(big)
    if "stats d.r" not in results:
        return
    t, row_limit = results["stats d.r"]
    print(f"\nstats d.r spans the whole file: {size / t / 1e9:.1f} GB/s (whole process), "
          f"{t / row_limit:.2f}x the read limit's whole process beside it, {t / limit:.2f}x the bare pass "
          f"measured first")


if __name__ == "__main__":
    main()
