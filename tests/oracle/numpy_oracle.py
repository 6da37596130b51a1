#!/usr/bin/env python3
"""NumPy as the oracle for strided's indexing.

Generates random raw files (every dtype strided reads, C and F order,
offsets, odd shapes) and random index expressions, evaluates each with
NumPy over np.memmap, and either

  --live BIN      runs strided on the same files (`save EXPR out.npy`) and
                  requires the same shape, dtype and bytes from np.load, and
                  an error with NumPy's message exactly where NumPy raises;
  --freeze FILE   writes the cases with NumPy's results (shape, descr and a
                  hash of the bytes, or the error) as JSON, for the Rust test
                  that runs without Python (tests/numpy_fixtures.rs).

File contents come from a splitmix64 stream that the Rust side reproduces,
so the frozen cases need no data files. Cases in numpy_regressions.txt
(bugs the differential test found once) are always included.
"""
import argparse, json, os, random, re, subprocess, sys, tempfile, warnings
import numpy as np

# astype of random bytes casts NaN and overflows; NumPy's warnings about it
# are not findings.
warnings.simplefilter("ignore", RuntimeWarning)
warnings.simplefilter("ignore", np.exceptions.ComplexWarning)

M64 = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))


def stream_bytes(seed, length):
    """splitmix64 outputs as little-endian bytes (mirrored in the Rust test)."""
    out = bytearray()
    state = seed & M64
    while len(out) < length:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        out += z.to_bytes(8, "little")
    return bytes(out[:length])


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & M64
    return "%016x" % h


SCALARS = ["<f4", ">f4", "<f8", ">f8", "<f2", "<i2", ">i2", "<i4", ">i8", "u1", "i1", "<u2", ">u4", "|b1", "<c8", ">c8", "<c16", "S3", ">U2"]
RECORDS = [
    [("r", "<f4"), ("i", "<f4")],
    [("a", "<i2"), ("b", "<f8")],
    [("a", ">u2"), ("b", "u1"), ("c", ">f4")],
    [("p", [("x", "<f4"), ("y", ">i2")]), ("t", "<u2")],
    # Sub-array fields: trailing axes of the field's view.
    [("t", "<f8"), ("iq", "<c8", (3,)), ("m", ">i2", (2, 2))],
    # Strings: bytes (S) and UTF-32 (U) beside numbers.
    [("s", "S5"), ("x", "<f4"), ("u", "<U3")],
]


def dtype_text(rng, spec):
    """Writes a dtype as a strided user might: string, quoted, keyword, list or record."""
    if isinstance(spec, str):
        return rng.choice([spec, "'%s'" % spec, '"%s"' % spec, "dtype=%s" % spec])
    q = rng.choice(["'", '"'])
    def lst(fields):
        def one(f):
            n, t = f[0], f[1]
            sub = ", %s" % (f[2],) if len(f) == 3 else ""
            return "(%s%s%s, %s%s)" % (q, n, q, lst(t) if isinstance(t, list) else q + t + q, sub)
        return "[" + ", ".join(one(f) for f in fields) + "]"
    def rec(fields):
        return "{" + ", ".join("%s: %s" % (f[0], rec(f[1]) if isinstance(f[1], list) else f[1]) for f in fields) + "}"
    # The short record form has no way to write a sub-array.
    forms = [lst(spec), "dtype=" + lst(spec)]
    if all(len(f) == 2 for f in spec):
        forms.append(rec(spec))
    return rng.choice(forms)


def shape_text(rng, shape, may_infer):
    dims = list(shape)
    if may_infer and dims and rng.random() < 0.3:
        dims[rng.randrange(len(dims))] = -1
    if len(dims) == 1 and rng.random() < 0.5:
        return "(%d,)" % dims[0]
    if rng.random() < 0.5:
        return "(" + ", ".join(map(str, dims)) + ")"
    return "x".join(map(str, dims))


def rand_bound(rng, n):
    r = rng.random()
    if r < 0.25:
        return None
    if r < 0.3:
        return rng.choice([10**20, -10**20])
    return rng.randint(-n - 3, n + 3)


def rand_index(rng, shape):
    """A random basic index for an array of `shape`, as text (same in both languages)."""
    nd = len(shape)
    k = rng.choice([nd, nd, nd - 1, nd + 1, 1]) if nd else rng.choice([0, 1])
    k = max(k, 1)
    items = []
    axis = 0
    used_ellipsis = False
    for _ in range(k):
        n = shape[axis] if axis < nd else 3
        r = rng.random()
        if r < 0.3:
            items.append(str(rng.randint(-n - 1, n)) if rng.random() < 0.9 else str(rng.choice([n, -n - 1])))
            axis += 1
        elif r < 0.8:
            start, stop = rand_bound(rng, n), rand_bound(rng, n)
            step = rng.choice([None, None, 1, 2, 3, -1, -2, -3, 0] if rng.random() < 0.05 else [None, None, 1, 2, 3, -1, -2, -3])
            s = ("" if start is None else str(start)) + ":" + ("" if stop is None else str(stop))
            if step is not None or rng.random() < 0.2:
                s += ":" + ("" if step is None else str(step))
            items.append(s)
            axis += 1
        elif r < 0.9:
            if used_ellipsis and rng.random() < 0.8:
                items.append(":")
                axis += 1
            else:
                items.append("...")
                used_ellipsis = True
        else:
            items.append("None")
    if rng.random() < 0.1:
        return "[" + ", ".join(items) + ",]"
    return "[" + ",".join(items) + "]" if rng.random() < 0.5 else "[" + ", ".join(items) + "]"


def make_case(rng, k):
    spec = rng.choice(SCALARS + RECORDS) if rng.random() < 0.8 else rng.choice(RECORDS)
    dt = np.dtype(spec)
    nd = rng.choice([1, 1, 2, 2, 2, 3, 4])
    shape = tuple(rng.choice([0, 1, 2, 3, 4, 5, 7]) if rng.random() < 0.1 else rng.randint(1, 7) for _ in range(nd))
    order = rng.choice(["C", "C", "F"])
    offset = rng.choice([0, 0, rng.randint(0, 64)])
    extra = rng.choice([0, 0, rng.randint(0, 16)])
    nbytes = int(np.prod(shape)) * dt.itemsize
    length = offset + nbytes + extra
    seed = rng.getrandbits(63)
    open_line = "open f%d.bin %s %s" % (k, shape_text(rng, shape, extra == 0 and 0 not in shape), dtype_text(rng, spec))
    if offset or rng.random() < 0.2:
        open_line += " offset=%d" % offset if rng.random() < 0.7 else " offset=(%d*1)" % offset
    if order == "F" or rng.random() < 0.2:
        open_line += " order=%s" % order
    return {"file": {"seed": seed, "len": length}, "dtype": spec, "shape": list(shape), "order": order, "offset": offset,
            "open": open_line}


def numpy_view(case, path):
    mm = np.memmap(path, dtype=np.dtype(case["dtype"] if isinstance(case["dtype"], str) else [tuple(f) if isinstance(f[1], str) else (f[0], [tuple(g) for g in f[1]]) for f in case["dtype"]]),
                   mode="r", offset=case["offset"], shape=tuple(case["shape"]), order=case["order"])
    return mm


def to_python(expr):
    """strided's `.name` field access → NumPy's ['name'] (np.memmap is not a recarray)."""
    return re.sub(r"\.(?!real\b|imag\b|T\b)([A-Za-z_]\w*)\b(?!\()", r"['\1']", expr)


def rand_advanced(rng, a, expr):
    """A random advanced index for array `a` (reached by `expr`), as text."""
    shape = a.shape
    nd = len(shape)
    ints = lambda n, k: "[%s]" % ", ".join(str(rng.randint(-n - 1, n) if rng.random() < 0.95 else n) for _ in range(k))
    choices = ["ints", "bools"]
    if nd >= 2:
        choices += ["slice_ints", "pairs", "bool_row"]
    if nd >= 3:
        choices += ["separated"]
    if a.dtype.names and len(a.dtype.names) >= 2:
        choices += ["fields"] * 3
    if a.dtype.names is None and a.dtype.kind in "iuf" and nd >= 1:
        choices += ["mask"] * 2
    c = rng.choice(choices)
    n0 = shape[0] if nd else 1
    if c == "ints":
        return "[%s]" % ints(n0, rng.randint(1, 4))
    if c == "bools":
        k = n0 if rng.random() < 0.9 else n0 + rng.choice([-1, 1])
        return "[[%s]]" % ", ".join(rng.choice(["True", "False"]) for _ in range(max(k, 1)))
    if c == "slice_ints":
        return "[%s, %s]" % (rng.choice([":", "1:", "::-1", "0"]), ints(shape[1], rng.randint(1, 3)))
    if c == "pairs":
        k = rng.randint(1, 3)
        k2 = k if rng.random() < 0.9 else k + 1
        return "[%s, %s]" % (ints(shape[0], k), ints(shape[1], k2))
    if c == "bool_row":
        if a.dtype.names is None and a.dtype.kind in "iuf" and rng.random() < 0.5:
            return "[:, %s[0] > 0]" % expr
        return "[:, [%s]]" % ", ".join(rng.choice(["True", "False"]) for _ in range(shape[1]))
    if c == "separated":
        return "[%s, :, %s]" % (ints(shape[0], 2), ints(shape[2], rng.choice([1, 2])))
    if c == "fields":
        # A subset in the record's order (NumPy cannot save out-of-order fields).
        names = [n for n in a.dtype.names if rng.random() < 0.7] or [a.dtype.names[-1]]
        return "[[%s]]" % ", ".join("'%s'" % n for n in names)
    return "[%s > %s]" % (expr, rng.choice(["0", "1", "-1"]))


def rand_reshape(rng, a):
    """A random reshape-family method call for array `a`, as text."""
    n = a.size
    shape = a.shape
    c = rng.choice(["reshape", "reshape", "ravel", "flatten", "transpose", "swapaxes", "view", "astype", "byteswap"])
    if c == "reshape":
        divisors = [k for k in range(1, n + 1) if n % k == 0] or [1]
        k = rng.choice(divisors)
        dims = rng.choice([[n], [k, n // k], [k, -1], [-1, k], [1, n, 1], [n + 1]])
        if rng.random() < 0.5:
            return ".reshape(%s)" % ", ".join(map(str, dims))
        return ".reshape((%s))" % (", ".join(map(str, dims)) + ("," if len(dims) == 1 else ""))
    if c in ("ravel", "flatten", "byteswap"):
        return ".%s()" % c
    if c == "transpose":
        axes = list(range(a.ndim))
        rng.shuffle(axes)
        if rng.random() < 0.1 and axes:
            axes[0] = axes[-1]
        return ".transpose(%s)" % ", ".join(map(str, axes))
    if c == "swapaxes":
        nd = max(a.ndim, 1)
        return ".swapaxes(%d, %d)" % (rng.randint(-nd, nd - 1), rng.randint(-nd, nd))
    if c == "view":
        return ".view(%r)" % rng.choice(["<f4", ">i2", "u1", "<c8", ">u4", "<f8", "|b1"])
    # (Not from float16: NumPy and the half crate widen NaN payloads differently.)
    # (Not from strings: NumPy parses them as numbers, strided does not.)
    if a.dtype.kind in "SU":
        return ".byteswap()"
    if a.dtype.names is None and a.dtype.itemsize != 2 or a.dtype.kind in "iu":
        return ".astype(%r)" % rng.choice(["<f8", "<f4", ">f8", "<c16"])
    return ".byteswap()"


def extend_expr(rng, case, arr):
    """Builds an expression step by step, evaluating with NumPy as it goes."""
    expr = "d"
    steps = rng.choice([1, 1, 2, 2, 3])
    done = set()
    for _ in range(steps):
        a = np.asarray(arr)
        if a.ndim == 0 and a.dtype.names is None:
            break
        options = ["index"] * 6 + ["T"] + ["advanced"] * 2 + ["reshape"] * 2
        if a.dtype.names:
            options += ["field"] * 4
        if a.dtype.kind == "c":
            options += ["part"] * 3
        op = rng.choice(options)
        if op == "index":
            if a.ndim == 0:
                break
            piece = rand_index(rng, a.shape)
        elif op == "advanced":
            if a.ndim == 0:
                break
            piece = rand_advanced(rng, a, expr)
        elif op == "reshape":
            if not isinstance(arr, np.ndarray):
                break  # NumPy scalars' methods are not strided's
            piece = rand_reshape(rng, a)
            # .view() and .byteswap() need bytes: strided has none for
            # computed (streamed) arrays.
            computed = ".astype(" in expr or " > " in expr
            if (".view(" in piece or ".byteswap(" in piece) and computed:
                break
            # The memory layout of an advanced-indexing copy is NumPy's own
            # choice (F for some F-order sources); strided copies in C order,
            # which only a size-changing .view() can tell apart.
            if ".view(" in piece and "advanced" in done:
                break
        elif op == "T":
            piece = ".T"
        elif op == "field":
            name = rng.choice(a.dtype.names)
            piece = rng.choice([".%s" % name, "['%s']" % name, '["%s"]' % name])
        else:
            piece = rng.choice([".real", ".imag"])
        expr += piece
        done.add(op)
        try:
            arr = eval(to_python(expr), {"d": case["_mm"]})
        except (IndexError, ValueError) as e:
            return expr, None, "%s" % e
    return expr, arr, None


def field_bytes(a):
    """The bytes of every field in C order, padding left out: NumPy leaves
    the padding of a copied record array uninitialised, so only fields are
    comparable."""
    if a.dtype.names:
        return b"".join(field_bytes(a[n]) for n in a.dtype.names)
    return a.tobytes(order="C")


def expected(arr):
    a = np.asarray(arr)  # (np.ascontiguousarray would make a 0-d result 1-d)
    return {"shape": list(a.shape), "descr": repr(np.lib.format.dtype_to_descr(a.dtype)), "fnv": fnv1a64(field_bytes(a))}


def load_regressions():
    path = os.path.join(HERE, "numpy_regressions.txt")
    cases = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cases.append(json.loads(line))
    return cases


def generate(seed, n, tmp):
    rng = random.Random(seed)
    cases = []
    specs = [dict(c, regression=True) for c in load_regressions()]
    specs += [None] * n
    for k, spec in enumerate(specs):
        path = os.path.join(tmp, "f%d.bin" % k)
        while True:
            if spec is None:
                case = make_case(rng, k)
            else:
                case = dict(spec)
                case["open"] = case["open"].replace("FILE", "f%d.bin" % k)
            with open(path, "wb") as f:
                f.write(stream_bytes(case["file"]["seed"], case["file"]["len"]))
            try:
                case["_mm"] = numpy_view(case, path)
                break
            except ValueError:
                # np.memmap cannot map zero bytes; strided can, but NumPy is no oracle there.
                assert spec is None, "a regression case NumPy cannot map"
        if spec is not None:
            expr = case["expr"]
            try:
                arr, err = eval(to_python(expr), {"d": case["_mm"]}), None
            except (IndexError, ValueError) as e:
                arr, err = None, str(e)
        else:
            expr, arr, err = extend_expr(rng, case, case["_mm"])
        case["expr"] = expr
        case["expect"] = {"error": err} if err is not None else expected(arr)
        cases.append(case)
    return cases


def run_live(binary, cases, tmp):
    lines = []
    where = {}
    for k, c in enumerate(cases):
        lines.append(c["open"] + " as d")
        lines.append("save %s o%d.npy" % (c["expr"], k))
        where[len(lines)] = k
    script = os.path.join(tmp, "cases.strided")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    proc = subprocess.run([binary, "--keep-going", "cases.strided"], cwd=tmp, capture_output=True, text=True, timeout=600)
    errors = {}
    for m in re.finditer(r"^cases\.strided:(\d+):\d+: error: (.*)$", proc.stderr, re.M):
        errors[int(m.group(1))] = m.group(2)
    for line in errors:
        if line not in where:
            print("open failed on line %d: %s\n  %s" % (line, errors[line], lines[line - 1]))
            return 0, len(cases)
    passed = failed = 0
    for line, k in where.items():
        c = cases[k]
        want = c["expect"]
        got_err = errors.get(line)
        problem = None
        if "error" in want:
            if got_err is None:
                problem = "NumPy raises %r, strided does not" % want["error"]
            elif want["error"] not in got_err:
                problem = "NumPy says %r, strided says %r" % (want["error"], got_err)
        elif got_err is not None:
            problem = "strided fails: %s" % got_err
        else:
            a = np.load(os.path.join(tmp, "o%d.npy" % k))
            a_descr = repr(np.lib.format.dtype_to_descr(a.dtype))
            if list(a.shape) != want["shape"] or a_descr != want["descr"] or fnv1a64(field_bytes(a)) != want["fnv"]:
                problem = "strided gives shape %s dtype %s, NumPy %s %s (or the bytes differ)" % (list(a.shape), a_descr, want["shape"], want["descr"])
        if problem:
            failed += 1
            if failed <= 20:
                print("MISMATCH %s\n  %s\n  %s\n  file %s" % (problem, c["open"], c["expr"], json.dumps(c["file"])))
        else:
            passed += 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--live", metavar="BIN")
    ap.add_argument("--freeze", metavar="FILE")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    with tempfile.TemporaryDirectory() as tmp:
        cases = generate(seed, args.cases, tmp)
        if args.freeze:
            with open(args.freeze, "w") as f:
                f.write('{"generator": "tests/oracle/numpy_oracle.py --freeze", "numpy": "%s", "seed": %d, "cases": [\n' % (np.__version__, seed))
                rows = []
                for c in cases:
                    rows.append(json.dumps({k: c[k] for k in ("file", "open", "expr", "expect")}))
                f.write(",\n".join(rows) + "\n]}\n")
            print("froze %d cases (seed %d) to %s" % (len(cases), seed, args.freeze))
        if args.live:
            passed, failed = run_live(os.path.abspath(args.live), cases, tmp)
            print("numpy differential (seed %d, numpy %s): %d passed, %d failed" % (seed, np.__version__, passed, failed))
            sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
